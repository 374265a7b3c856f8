#include "puente/progress.h"

#include <unistd.h>

#include <chrono>
#include <iostream>

#include "absl/strings/str_format.h"

namespace puente::cli {

std::function<void(int, int)> ProgressBar(const std::string& what) {
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  return [tty, start, what](int done, int total) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int width = 30, filled = total > 0 ? width * done / total : width;
    std::cerr << absl::StrFormat("%s[%s%s] %d/%d %s  %.1f s%s", tty ? "\r" : "",
                                 std::string(filled, '#'), std::string(width - filled, '.'), done,
                                 total, what, secs, tty && done < total ? "" : "\n");
  };
}

}  // namespace puente::cli
