// The server's front (server/src/front.h) against hostile and careless
// clients, over real loopback sockets to a real puente-server: slow heads and
// bodies cut at their deadlines, hundreds of idle connections that leave
// everyone else answered, a cap per client address, bodies refused by their
// announced size before a byte is read, framing that could smuggle a
// request refused, keep-alive and pipelining, a processing deadline, and the
// one log line per request. Attackers connect from 127.0.0.2, everyone else
// from 127.0.0.1 (both loopback).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "biometrics/biometrics_test_support.h"
#include "loopback.h"
#include "puente/server/log.h"
#include "puente/server/server.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// A blocking TCP connection from `from` to 127.0.0.1:`port`; reads time out
// after `read_timeout_s`.
class RawConnection {
 public:
  RawConnection(int port, const char* from = "127.0.0.1", int read_timeout_s = 10)
      : fd_(puente::testing::ConnectFrom(from, port, read_timeout_s)), ok_(fd_ >= 0) {}
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(RawConnection&& o) noexcept : fd_(o.fd_), ok_(o.ok_) { o.fd_ = -1; }
  RawConnection(const RawConnection&) = delete;

  bool ok() const { return ok_; }
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Whatever arrives until the server closes or the read times out.
  std::string ReadToEnd() {
    std::string all;
    char buf[4096];
    for (;;) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return all;
      all.append(buf, static_cast<size_t>(n));
    }
  }
  // One answer: its head and Content-Length bytes of body ("" on timeout).
  std::string ReadAnswer() {
    char buf[4096];
    for (;;) {
      const size_t end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const size_t at = pending_.find("Content-Length: ");
        if (at != std::string::npos && at < end) length = std::stoul(pending_.substr(at + 16));
        if (pending_.size() >= end + 4 + length) {
          std::string answer = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return answer;
        }
      }
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      pending_.append(buf, static_cast<size_t>(n));
    }
  }
  // True if the server closed the connection (recv returned 0) before the
  // read timeout.
  bool ClosedByServer() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::string pending_;
};

int StatusOf(const std::string& answer) {
  return answer.size() > 12 ? std::atoi(answer.substr(9, 3).c_str()) : -1;
}

class FrontTest : public ::testing::Test {
 protected:
  // A server on a fresh SQLite registry, with `tune` applied to its config.
  void Start(const std::function<void(ServerConfig&)>& tune = {}) {
    const crypto::SecretKey master = puente::testing::NewMasterKey();
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, master), nullptr);
    ServerConfig config(master);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    config.workers = 1;
    if (tune) tune(config);
    server_ = std::make_unique<puente::testing::ScopedServer>(std::move(config));
    ASSERT_TRUE(server_->status().ok()) << server_->status();
    ASSERT_TRUE(server_->server().EnsureAdmin("admin", "admin-password-1").ok());
    port_ = server_->port();
  }
  int Health() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10);
    auto r = client.Get("/health");
    return r ? r->status : -1;
  }

  puente::testing::TestDatabase db_{registry::Dialect::kSqlite};
  std::unique_ptr<puente::testing::ScopedServer> server_;
  int port_ = 0;
};

TEST_F(FrontTest, AHeadSentOneLineAtATimeIsCutAtTheHeadDeadline) {
  Start([](ServerConfig& c) { c.head_timeout_seconds = 1; });
  RawConnection slow(port_, "127.0.0.2");
  ASSERT_TRUE(slow.ok());
  const auto start = SteadyClock::now();
  ASSERT_TRUE(slow.Send("GET /health HTTP/1.1\r\n"));
  // One header line every 200 ms, as the attacker of issue 15 did every 5 s;
  // without a deadline for the whole head this would go on for ever.
  std::thread dribble([&] {
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (!slow.Send("X-Slow: " + std::to_string(i) + "\r\n")) return;
    }
  });
  const std::string answer = slow.ReadToEnd();
  const double took = SecondsSince(start);
  dribble.join();
  EXPECT_EQ(StatusOf(answer), 408) << answer;
  EXPECT_NE(answer.find("request head did not arrive within 1 s"), std::string::npos) << answer;
  EXPECT_LT(took, 8.0) << "cut by the 1 s head deadline, not after 50 lines";
}

TEST_F(FrontTest, FiveHundredSlowConnectionsLeaveEveryoneElseAnswered) {
  Start([](ServerConfig& c) { c.max_connections_per_address = 600; });
  std::vector<RawConnection> slow;
  slow.reserve(500);
  for (int i = 0; i < 500; ++i) {
    slow.emplace_back(port_, "127.0.0.2");
    ASSERT_TRUE(slow.back().ok()) << "connection " << i;
    // A head begun and never finished; the rest send nothing at all.
    if (i % 2 == 0) ASSERT_TRUE(slow.back().Send("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"));
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Health(), 200) << "request " << i;
  httplib::Client client("127.0.0.1", port_);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  const size_t at = metrics->body.find("\npuente_http_connections_open ");
  ASSERT_NE(at, std::string::npos) << metrics->body;
  EXPECT_GE(std::stoi(metrics->body.substr(at + 30)), 500)
      << "the 500 slow ones are open, each costing no thread";
}

TEST_F(FrontTest, ConnectionsPerAddressAreCapped) {
  Start([](ServerConfig& c) { c.max_connections_per_address = 10; });
  std::vector<RawConnection> idle;
  for (int i = 0; i < 10; ++i) {
    idle.emplace_back(port_, "127.0.0.2");
    ASSERT_TRUE(idle.back().ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted
  RawConnection eleventh(port_, "127.0.0.2", 5);
  const std::string refused = eleventh.ReadToEnd();
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  EXPECT_NE(refused.find("too many open connections from your address"), std::string::npos);
  EXPECT_EQ(Health(), 200) << "another address is not affected";
}

TEST_F(FrontTest, AnAnnouncedHugeBodyIsRefusedBeforeAByteOfItIsRead) {
  Start();
  RawConnection c(port_, "127.0.0.1", 5);
  ASSERT_TRUE(
      c.Send("POST /api/v1/enrollments HTTP/1.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 999999999999\r\n\r\n"));
  // No body is sent: the answer must come from the announced size alone (the
  // read times out after 5 s, well before the 30 s body deadline).
  const std::string answer = c.ReadAnswer();
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  EXPECT_NE(answer.find("request body too large"), std::string::npos);
}

TEST_F(FrontTest, ASlowBodyIsCutAtTheBodyDeadline) {
  Start([](ServerConfig& c) { c.read_timeout_seconds = 1; });
  RawConnection c(port_, "127.0.0.2");
  ASSERT_TRUE(
      c.Send("POST /api/v1/sessions HTTP/1.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 100\r\n\r\n{\"user\":"));
  const std::string answer = c.ReadToEnd();
  EXPECT_EQ(StatusOf(answer), 408) << answer;
  EXPECT_NE(answer.find("request body did not arrive within 1 s"), std::string::npos);
}

TEST_F(FrontTest, FramingThatCouldSmuggleARequestIsRefused) {
  Start();
  struct Case {
    std::string request;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"POST /api/v1/sessions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411,
       "Content-Length"},
      {"POST /api/v1/sessions HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
       411, "Transfer-Encoding"},
      {"POST /api/v1/sessions HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", 400,
       "two different Content-Length"},
      {"POST /api/v1/sessions HTTP/1.1\r\nContent-Length: +4\r\n\r\n", 400, "not a number"},
      {"GET /health HTTP/1.1\r\n X-Folded: yes\r\n\r\n", 400, "malformed header"},
      {"GET /health HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, "malformed header name"},
      // Found by fuzz/http_head_fuzz.cc: a NUL passed for a token character.
      {std::string("GET /health HTTP/1.1\r\nX\0Y: z\r\n\r\n", 32), 400, "malformed header name"},
      {"GET  /health HTTP/1.1\r\n\r\n", 400, "malformed request line"},
      {"GET /health HTTP/2.0\r\n\r\n", 505, "HTTP/1.1"},
      {"GET /health HTTP/1.1\r\nExpect: something-else\r\n\r\n", 417, "100-continue"},
      {"GET /health HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431,
       "request head larger than"},
  };
  for (const Case& k : cases) {
    RawConnection c(port_, "127.0.0.1", 5);
    ASSERT_TRUE(c.Send(k.request));
    const std::string answer = c.ReadToEnd();
    EXPECT_EQ(StatusOf(answer), k.status) << k.request.substr(0, 80) << "\n" << answer;
    EXPECT_NE(answer.find(k.says), std::string::npos) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos);
  }
  EXPECT_EQ(Health(), 200);
}

TEST_F(FrontTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  Start();
  RawConnection c(port_);
  ASSERT_TRUE(
      c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string first = c.ReadAnswer(), second = c.ReadAnswer(), third = c.ReadAnswer();
  EXPECT_EQ(StatusOf(first), 200) << first;
  EXPECT_NE(first.find("Connection: keep-alive"), std::string::npos) << first;
  EXPECT_NE(first.find("X-Request-Id: "), std::string::npos);
  EXPECT_EQ(StatusOf(second), 404) << second;
  EXPECT_EQ(StatusOf(third), 200) << third;
  EXPECT_NE(third.find("Connection: close"), std::string::npos) << third;
  EXPECT_TRUE(c.ClosedByServer());
  // The internal headers between the front and its backend never reach a client.
  for (const std::string& a : {first, second, third}) {
    EXPECT_EQ(a.find("X-Puente-"), std::string::npos) << a;
  }
}

TEST_F(FrontTest, AnIdleKeepAliveConnectionIsClosed) {
  Start([](ServerConfig& c) { c.keep_alive_seconds = 1; });
  RawConnection c(port_, "127.0.0.1", 10);
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadAnswer()), 200);
  const auto start = SteadyClock::now();
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_LT(SecondsSince(start), 8.0);
}

TEST_F(FrontTest, ARequestNotProcessedInTimeIsAnswered504AndTheServerGoesOn) {
  // A login hashes the password (scrypt, hundreds of milliseconds): longer
  // than this server's processing deadline.
  Start([](ServerConfig& c) { c.process_timeout_seconds = 0.05; });
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(20);
  auto r = client.Post("/api/v1/sessions",
                       json{{"user", "admin"}, {"password", "admin-password-1"}}.dump(),
                       "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_NE(r->body.find("not processed within 0.05 s"), std::string::npos) << r->body;
  for (int i = 0; i < 50 && Health() != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a quick route again
  }
  EXPECT_EQ(Health(), 200);
}

TEST_F(FrontTest, EachRequestIsLoggedOnceWithItsRouteTemplateAndNoSecrets) {
  std::mutex mu;
  std::vector<std::string> lines;
  SetLogSinkForTesting([&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  });
  Start();
  httplib::Client client("127.0.0.1", port_);
  auto r = client.Get("/api/v1/cards/4242", {{"Authorization", "Bearer not-a-real-token-xyz"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  const std::string request_id = r->get_header_value("X-Request-Id");
  EXPECT_EQ(request_id.size(), 16u);
  server_.reset();  // stopped: every line written
  SetLogSinkForTesting(nullptr);
  int found = 0;
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("not-a-real-token-xyz"), std::string::npos) << line;
    EXPECT_EQ(line.find("4242"), std::string::npos) << "the route, not the path: " << line;
    json j = json::parse(line);
    if (j.value("request_id", "") != request_id) continue;
    ++found;
    EXPECT_EQ(j["event"], "request");
    EXPECT_EQ(j["method"], "GET");
    EXPECT_EQ(j["route"], "/api/v1/cards/{serial}");
    EXPECT_EQ(j["status"], 401);
    EXPECT_TRUE(j["ms"].is_number());
    EXPECT_TRUE(j["time"].is_string());
  }
  EXPECT_EQ(found, 1);
}

}  // namespace
}  // namespace puente::server
