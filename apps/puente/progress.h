// Progress of a long command on stderr, for a person watching a terminal.
#ifndef PUENTE_APPS_PUENTE_PROGRESS_H_
#define PUENTE_APPS_PUENTE_PROGRESS_H_

#include <functional>
#include <string>

namespace puente::cli {

// A callback drawing "[#####.....] 3/10 chunks  1.2 s" on stderr when called
// with (done, total): redrawn in place on a terminal, one line per call
// otherwise. `what` names the units ("chunks", "pages").
std::function<void(int, int)> ProgressBar(const std::string& what);

}  // namespace puente::cli

#endif  // PUENTE_APPS_PUENTE_PROGRESS_H_
