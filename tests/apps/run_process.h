// Runs a shell command as a user would, capturing stdout, stderr and the
// exit code.
#ifndef PUENTE_TESTS_APPS_RUN_PROCESS_H_
#define PUENTE_TESTS_APPS_RUN_PROCESS_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace puente::testing {

struct Result {
  int code = -1;
  std::string out, err;
};

// `command` runs under /bin/sh; stderr goes through `err_file`.
inline Result RunShell(const std::string& command, const std::string& err_file) {
  Result r;
  FILE* p = popen((command + " 2>'" + err_file + "'").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream s;
  s << e.rdbuf();
  r.err = s.str();
  return r;
}

// `command` run under /bin/sh in `dir`, its stderr through dir/stderr.txt.
inline Result RunIn(const std::string& dir, const std::string& command) {
  return RunShell("cd '" + dir + "' && " + command, dir + "/stderr.txt");
}

// The passphrase the tests' key files are protected with.
inline constexpr char kTestKeyPassphrase[] = "test-passphrase-1";

// `program args` run in `dir` as a user runs it, with $PUENTE_KEY_PASSPHRASE
// set to kTestKeyPassphrase.
inline Result RunProgramIn(const std::string& dir, const std::string& program,
                           const std::string& args) {
  return RunIn(dir, std::string("PUENTE_KEY_PASSPHRASE=") + kTestKeyPassphrase + " '" + program +
                        "' " + args);
}

}  // namespace puente::testing

#endif  // PUENTE_TESTS_APPS_RUN_PROCESS_H_
