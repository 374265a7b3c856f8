// A puente Server serving on a real loopback port from a thread of its own
// for the length of a scope: the destructor stops it and joins the thread,
// also when a failed ASSERT leaves the test early (cpp-httplib's test/test.cc
// does the same). Not thread-safe; one test uses it.
#ifndef PUENTE_TESTS_SERVER_SCOPED_SERVER_H_
#define PUENTE_TESTS_SERVER_SCOPED_SERVER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "puente/server/server.h"

namespace puente::testing {

class ScopedServer {
 public:
  // Creates the server from `config`, binds it to 127.0.0.1 on a free port
  // and starts serving. status() is the first failure, if any; port() is
  // valid only when status() is OK.
  explicit ScopedServer(server::ServerConfig config) {
    auto created = server::Server::Create(std::move(config));
    if (!created.ok()) {
      status_ = created.status();
      return;
    }
    server_ = std::move(*created);
    auto port = server_->Bind("127.0.0.1", 0);
    if (!port.ok()) {
      status_ = port.status();
      return;
    }
    port_ = *port;
    thread_ = std::thread([this] {
      server_->Serve();
      served_ = true;
    });
  }

  ScopedServer(const ScopedServer&) = delete;
  ScopedServer& operator=(const ScopedServer&) = delete;

  ~ScopedServer() {
    if (!thread_.joinable()) return;
    // A Stop() that comes before the thread has entered its accept loop does
    // nothing (httplib only stops a running server): ask again until it ends.
    for (int tick = 0; !served_; ++tick) {
      if (tick % 100 == 0) server_->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    thread_.join();
  }

  const absl::Status& status() const { return status_; }
  int port() const { return port_; }
  server::Server& server() { return *server_; }

 private:
  absl::Status status_;
  std::unique_ptr<server::Server> server_;
  int port_ = 0;
  std::atomic<bool> served_{false};
  std::thread thread_;
};

}  // namespace puente::testing

#endif  // PUENTE_TESTS_SERVER_SCOPED_SERVER_H_
