// The service under load and attack (issue 15; figures in docs/security.md,
// "Measured under attack"): enrollments/s and latency percentiles while
//   plain   - two officers enroll as fast as the server answers;
//   slow    - plus --slow connections from another address (127.0.0.2), each
//             sending one header line every 5 s and never finishing;
//   flood   - plus --flood clients sending wrong passwords as fast as they
//             are answered (from 127.0.0.2);
//   both    - slow connections and the flood together.
// A probe asks GET /health every 100 ms throughout.
//
//   bench/attack_bench.sh [--server-bin PATH] [--seconds 20] [--slow 200] [--flood 4]
// starts a puente-server on a fresh SQLite registry and runs this against it:
//   build/bench/attack_bench --url http://127.0.0.1:PORT --admin-password P
//       --photos DIR [--seconds 20] [--slow 200] [--flood 4]
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "loopback.h"
#include "puente/crypto/encoding.h"

using nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

double MsSince(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Sample {
  std::mutex mu;
  std::vector<double> ms;
  std::atomic<long> ok{0}, failed{0};
  void Add(double v) {
    std::lock_guard<std::mutex> lock(mu);
    ms.push_back(v);
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu);
    ms.clear();
    ok = 0;
    failed = 0;
  }
};

std::string Host(const std::string& url) {
  return url.substr(url.find("://") + 3, url.rfind(':') - url.find("://") - 3);
}
int Port(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

std::string Login(httplib::Client& c, const std::string& user, const std::string& password) {
  auto r = c.Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                  "application/json");
  if (!r || r->status != 201) {
    std::fprintf(stderr, "login %s: %s\n", user.c_str(), r ? r->body.c_str() : "no answer");
    return "";
  }
  return json::parse(r->body)["token"];
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, admin_password, photos_dir;
  int seconds = 20, slow = 200, flood = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--url") url = v;
    if (a == "--admin-password") admin_password = v;
    if (a == "--photos") photos_dir = v;
    if (a == "--seconds") seconds = std::stoi(v);
    if (a == "--slow") slow = std::stoi(v);
    if (a == "--flood") flood = std::stoi(v);
  }
  if (url.empty() || photos_dir.empty()) {
    std::fprintf(stderr,
                 "usage: attack_bench --url http://127.0.0.1:PORT --admin-password P --photos DIR "
                 "[--seconds 20] [--slow 200] [--flood 4]\n");
    return 2;
  }
  const std::string host = Host(url);
  const int port = Port(url);
  std::vector<std::string> photos;
  for (const auto& e : std::filesystem::recursive_directory_iterator(photos_dir)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".jpg" && ext != ".jpeg" && ext != ".png") continue;
    std::ifstream in(e.path(), std::ios::binary);
    photos.push_back(puente::crypto::Base64Encode(
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())));
  }
  if (photos.empty()) {
    std::fprintf(stderr, "no photos under %s\n", photos_dir.c_str());
    return 2;
  }

  httplib::Client setup(host, port);
  setup.set_read_timeout(60);
  const std::string admin = Login(setup, "admin", admin_password);
  if (admin.empty()) return 1;
  const httplib::Headers admin_auth = {{"Authorization", "Bearer " + admin}};
  const std::string officer_password = "Bench officer: 7 quiet rivers";
  for (const char* name : {"bench.officer", "bench.victim"}) {
    setup.Post("/api/v1/users", admin_auth,
               json{{"name", name}, {"role", "officer"}, {"password", officer_password}}.dump(),
               "application/json");
  }
  const std::string officer = Login(setup, "bench.officer", officer_password);
  if (officer.empty()) return 1;

  std::atomic<bool> done{false};
  std::atomic<bool> slow_on{false}, flood_on{false};
  Sample enroll, health;
  std::atomic<long> flood_answers{0};

  // Two officers enrolling.
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c(host, port);
      c.set_read_timeout(15);
      c.set_connection_timeout(15);
      const httplib::Headers auth = {{"Authorization", "Bearer " + officer}};
      std::mt19937 rng(1234 + t);
      const char* given[] = {"María", "José", "Ana", "Luis", "Carmen", "Juan", "Rosa", "Pedro"};
      const char* surnames[] = {"Pérez",    "González", "Rodríguez", "Hernández", "García",
                                "Martínez", "López",    "Díaz",      "Moreno",    "Castillo"};
      for (long i = 0; !done; ++i) {
        json body = {{"applicant",
                      {{"given_names", std::string(given[rng() % 8]) + " " + given[rng() % 8]},
                       {"surname1", surnames[rng() % 10]},
                       {"surname2", surnames[rng() % 10]},
                       {"sex", rng() % 2 ? "F" : "M"},
                       {"date_of_birth", absl::StrFormat("%d-%02d-%02d", 1950 + rng() % 60,
                                                         1 + rng() % 12, 1 + rng() % 28)},
                       {"nationality", "VEN"},
                       {"office_code", "101"},
                       {"languages", {"spa"}}}},
                     {"photo_base64", photos[rng() % photos.size()]}};
        const auto start = Steady::now();
        auto r = c.Post("/api/v1/enrollments", auth, body.dump(), "application/json");
        if (r && (r->status == 201 || r->status == 200)) {
          enroll.ok++;
          enroll.Add(MsSince(start));
        } else {
          enroll.failed++;
          if (r && r->status != 422) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }
  // The probe.
  threads.emplace_back([&] {
    httplib::Client c(host, port);
    c.set_read_timeout(15);
    c.set_connection_timeout(15);
    while (!done) {
      const auto start = Steady::now();
      auto r = c.Get("/health");
      if (r && r->status == 200) {
        health.ok++;
        health.Add(MsSince(start));
      } else {
        health.failed++;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Slow connections: opened when the phase starts, one header line each 5 s.
  threads.emplace_back([&] {
    std::vector<int> fds;
    auto last = Steady::now();
    while (!done) {
      if (slow_on && fds.empty()) {
        for (int i = 0; i < slow; ++i) {
          const int fd = puente::testing::ConnectFrom("127.0.0.2", port, 1);
          if (fd < 0) continue;
          send(fd, "GET /health HTTP/1.1\r\n", 22, MSG_NOSIGNAL);
          fds.push_back(fd);
        }
      }
      if (!slow_on && !fds.empty()) {
        for (int fd : fds) close(fd);
        fds.clear();
      }
      if (MsSince(last) > 5000) {
        last = Steady::now();
        // Reopen what the server cut (its head deadline): the attacker keeps `slow` open.
        for (int& fd : fds) {
          if (send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) <= 0) {
            close(fd);
            fd = puente::testing::ConnectFrom("127.0.0.2", port, 1);
            if (fd >= 0) send(fd, "GET /health HTTP/1.1\r\n", 22, MSG_NOSIGNAL);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  });
  // The wrong-password flood.
  for (int t = 0; t < flood; ++t) {
    threads.emplace_back([&] {
      const std::string body =
          json{{"user", "bench.victim"}, {"password", "wrong-password-123"}}.dump();
      const std::string request = puente::testing::JsonPostRequest("/api/v1/sessions", body);
      while (!done) {
        if (!flood_on) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        const int fd = puente::testing::ConnectFrom("127.0.0.2", port, 15);
        if (fd < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        char buf[4096];
        while (recv(fd, buf, sizeof buf, 0) > 0) {
        }
        close(fd);
        flood_answers++;
      }
    });
  }

  std::printf("%-6s %12s %10s %10s %8s %12s %12s %14s\n", "phase", "enrolled/s", "p50 ms", "p95 ms",
              "failed", "health ok/x", "health p95", "flood answers");
  struct Phase {
    const char* name;
    bool slow, flood;
  };
  for (const Phase& p : {Phase{"plain", false, false}, Phase{"slow", true, false},
                         Phase{"flood", false, true}, Phase{"both", true, true}}) {
    slow_on = p.slow;
    flood_on = p.flood;
    std::this_thread::sleep_for(std::chrono::seconds(2));  // settle
    enroll.Clear();
    health.Clear();
    flood_answers = 0;
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    std::vector<double> e, h;
    {
      std::lock_guard<std::mutex> l1(enroll.mu), l2(health.mu);
      e = enroll.ms;
      h = health.ms;
    }
    std::printf("%-6s %12.1f %10.0f %10.0f %8ld %12s %12.0f %14ld\n", p.name,
                static_cast<double>(enroll.ok) / seconds, Percentile(e, 0.5), Percentile(e, 0.95),
                enroll.failed.load(),
                absl::StrFormat("%d/%d", health.ok.load(), health.failed.load()).c_str(),
                Percentile(h, 0.95), flood_answers.load());
    std::fflush(stdout);
  }
  done = true;
  for (auto& t : threads) t.join();
  return 0;
}
