// One puente-server process (the real binary, PUENTE_SERVER_BIN) on a free
// loopback port, for the tests that kill servers or run several: killed and
// reaped at scope exit. Its stdout (first line: the port) goes to `log`, its
// JSON log (stderr) to `log` + ".err", both 0600.
#ifndef PUENTE_TESTS_SERVER_SERVER_PROCESS_H_
#define PUENTE_TESTS_SERVER_SERVER_PROCESS_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "biometrics/biometrics_test_support.h"

extern char** environ;

namespace puente::testing {

class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Kill(); }

  // Starts it on `db_url` with the master key in `key_file` and an admin
  // "admin" (password admin-password-1); returns its port, or 0 (with a test
  // failure) if it did not say so within `max_wait`.
  int Start(const std::string& db_url, const std::string& key_file, const std::string& log,
            std::chrono::milliseconds max_wait) {
    std::vector<std::string> args{
        PUENTE_SERVER_BIN,   "--db",   db_url, "--key-file", key_file, "--models",
        ModelsDirForTests(), "--port", "0",    "--admin",    "admin"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    setenv("PUENTE_ADMIN_PASSWORD", "admin-password-1", 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // The server log (JSON lines) apart, so the first line of `log` is the port.
    const std::string err = log + ".err";
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_EQ(posix_spawn(&pid_, PUENTE_SERVER_BIN, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream f(log);
      std::string line;
      if (std::getline(f, line)) {
        const size_t colon = line.rfind(':');
        if (line.find("listening on") != std::string::npos && colon != std::string::npos) {
          return std::stoi(line.substr(colon + 1));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "server did not start";
    return 0;
  }

  // SIGKILL and reap (nothing if not running); false if the signal failed.
  bool Kill() {
    if (pid_ <= 0) return true;
    const bool killed = kill(pid_, SIGKILL) == 0;
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return killed;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace puente::testing

#endif  // PUENTE_TESTS_SERVER_SERVER_PROCESS_H_
