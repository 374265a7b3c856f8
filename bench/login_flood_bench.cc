// Enrollments per second while wrong passwords flood the login (issue 15,
// item 3; docs/security.md, "Login floods"):
//
//   build/bench/login_flood_bench [--enroll N] [--flood K] [--workers W]
//                                 [--faces DIR] [--models DIR]
//
// Starts the real server in-process on a fresh SQLite file (W workers,
// default 2), enrolls N people (default 60) from 2 client threads with
// nothing else going on, then N more while K threads (default 4) send wrong
// passwords as fast as the server answers and one thread reads an applicant
// in a loop (a token check and an audited read each). Two kinds of flood:
// "one account" (one name, one address: throttling refuses it early) and
// "spread" (a new name and a new client address every attempt: each from a
// loopback address of its own, 127.a.b.c, which the server's front sees as
// the client: every attempt is a full scrypt check and a recorded failure). Prints enrollments/s
// and p95 for each phase, the flood's rate and statuses, and the reads' p95 and failures. Only
// HTTP: the same file builds against older trees, for the before/after figures in docs/security.md.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "loopback.h"
#include "puente/biometrics/models.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/keys.h"
#include "puente/registry/migrator.h"
#include "puente/server/server.h"
#include "synthetic_names.h"

using namespace puente;
using Steady = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

std::string Percentile(std::vector<double> ms, double p) {
  if (ms.empty()) return "-";
  std::sort(ms.begin(), ms.end());
  return absl::StrFormat("%.0f", ms[static_cast<size_t>(p * (ms.size() - 1))]);
}

struct Phase {
  long enrolled = 0, failed = 0;
  double seconds = 0;
  std::vector<double> latencies;
};

}  // namespace

int main(int argc, char** argv) {
  long enroll = 60;
  int flood = 4, workers = 2;
  std::string faces = "../shared/faces/dev", models = biometrics::ModelsDir();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--enroll") enroll = std::atol(argv[i + 1]);
    if (flag == "--flood") flood = std::atoi(argv[i + 1]);
    if (flag == "--workers") workers = std::atoi(argv[i + 1]);
    if (flag == "--faces") faces = argv[i + 1];
    if (flag == "--models") models = argv[i + 1];
  }
  const auto dir = std::filesystem::temp_directory_path() / "puente-login-flood-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "bench.db").string();
  const std::string key_file = (dir / "master.key").string();
  if (!registry::CreateMasterKeyFile(key_file).ok()) return 1;
  auto master = registry::LoadMasterKey(key_file);
  if (!master.ok()) return 1;
  {
    auto raw = registry::Database::Open(db);
    if (!raw.ok() || !registry::Migrate(**raw).ok() ||
        !registry::KeyRing::Open(**raw, *master).ok()) {
      std::fprintf(stderr, "cannot create %s\n", db.c_str());
      return 1;
    }
  }
  server::ServerConfig config(*master);
  config.db_url = db;
  config.models_dir = models;
  config.workers = workers;
  auto srv = server::Server::Create(std::move(config));
  if (!srv.ok()) {
    std::fprintf(stderr, "%s\n", std::string(srv.status().message()).c_str());
    return 1;
  }
  if (!(*srv)->EnsureAdmin("admin", "admin-password-1").ok()) return 1;
  const int port = *(*srv)->Bind("127.0.0.1", 0);
  std::thread serving([&] { (*srv)->Serve(); });

  auto login = [&](httplib::Client& c, const std::string& u, const std::string& p) {
    auto r =
        c.Post("/api/v1/sessions", json{{"user", u}, {"password", p}}.dump(), "application/json");
    return r && r->status == 201 ? json::parse(r->body)["token"].get<std::string>() : std::string();
  };
  httplib::Client admin("127.0.0.1", port);
  const std::string admin_token = login(admin, "admin", "admin-password-1");
  admin.Post("/api/v1/users", {{"Authorization", "Bearer " + admin_token}},
             json{{"name", "ana"}, {"role", "officer"}, {"password", "officer-pw-1"}}.dump(),
             "application/json");
  const std::string token = login(admin, "ana", "officer-pw-1");
  if (token.empty()) {
    std::fprintf(stderr, "cannot log in\n");
    return 1;
  }

  std::vector<std::string> photos;
  for (const auto& p : std::filesystem::recursive_directory_iterator(faces)) {
    if (p.path().extension() == ".jpg") photos.push_back(p.path().string());
  }
  std::sort(photos.begin(), photos.end());
  if (photos.empty()) {
    std::fprintf(stderr, "no photos under %s\n", faces.c_str());
    return 1;
  }
  auto body = [&](long i) {
    std::ifstream f(photos[i % photos.size()], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return json{{"applicant",
                 {{"given_names", "Ana " + bench::Letters(i)},
                  {"surname1", "Ruiz"},
                  {"sex", "X"},
                  {"date_of_birth",
                   absl::StrFormat("%04d-%02d-%02d", 1950 + (i * 13) % 60, 1 + i % 12, 1 + i % 28)},
                  {"nationality", "XXX"},
                  {"office_code", "101"}}},
                {"photo_base64", crypto::Base64Encode(bytes)}}
        .dump();
  };
  std::vector<std::string> bodies;
  for (long i = 0; i < 3 * enroll; ++i) bodies.push_back(body(i));

  std::string some_applicant;
  std::mutex mu;
  // N enrollments from 2 client threads, bodies [first, first + N).
  auto run_enrollments = [&](long first) {
    Phase phase;
    std::atomic<long> next{first};
    const auto start = Steady::now();
    std::vector<std::thread> clients;
    for (int t = 0; t < 2; ++t) {
      clients.emplace_back([&] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(120);
        for (long i = next++; i < first + enroll; i = next++) {
          const auto s = Steady::now();
          auto r = c.Post("/api/v1/enrollments", {{"Authorization", "Bearer " + token}}, bodies[i],
                          "application/json");
          const double ms = Seconds(s) * 1000;
          std::lock_guard<std::mutex> lock(mu);
          phase.latencies.push_back(ms);
          if (r && r->status == 201) {
            phase.enrolled++;
            if (some_applicant.empty()) {
              some_applicant = json::parse(r->body)["applicant"]["registration_number"];
            }
          } else {
            if (phase.failed++ == 0) {
              std::fprintf(stderr, "  first failed enrollment: %d %s\n", r ? r->status : -1,
                           r ? r->body.substr(0, 200).c_str() : "no answer");
            }
          }
        }
      });
    }
    for (auto& c : clients) c.join();
    phase.seconds = Seconds(start);
    return phase;
  };
  auto report = [&](const char* what, const Phase& p) {
    std::printf("%-28s enrollments %ld in %.1f s = %.1f/s (%ld failed); p50 %s ms, p95 %s ms\n",
                what, p.enrolled, p.seconds, p.enrolled / p.seconds, p.failed,
                Percentile(p.latencies, 0.5).c_str(), Percentile(p.latencies, 0.95).c_str());
  };
  std::printf("login_flood_bench: %d workers, %ld enrollments per phase, %d flood clients\n",
              workers, enroll, flood);
  report("plain:", run_enrollments(0));

  for (const bool spread : {false, true}) {
    std::atomic<bool> stop{false};
    std::atomic<long> attempts{0}, seq{0};
    std::map<int, long> statuses;
    std::vector<double> read_ms;
    long reads_failed = 0;
    std::vector<std::thread> threads;
    const auto start = Steady::now();
    for (int t = 0; t < flood; ++t) {
      threads.emplace_back([&, t] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(120);
        while (!stop) {
          const long k = seq++;
          const std::string user = spread ? "guess" + std::to_string(k) : "ana";
          const std::string body =
              json{{"user", user}, {"password", "wrong-password-" + std::to_string(t)}}.dump();
          int status = -1;
          if (spread) {
            status =
                puente::testing::PostJsonFrom(absl::StrFormat("127.%d.%d.%d", 1 + (k >> 16) % 254,
                                                              (k >> 8) & 255, 1 + k % 254),
                                              port, "/api/v1/sessions", body, "", 120)
                    .first;
          } else {
            auto r = c.Post("/api/v1/sessions", body, "application/json");
            status = r ? r->status : -1;
          }
          attempts++;
          std::lock_guard<std::mutex> lock(mu);
          statuses[status]++;
        }
      });
    }
    threads.emplace_back([&] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(120);
      const std::string path = "/api/v1/applicants/" + some_applicant;
      while (!stop) {
        const auto s = Steady::now();
        auto r = c.Get(path.c_str(), {{"Authorization", "Bearer " + token}});
        const double ms = Seconds(s) * 1000;
        std::lock_guard<std::mutex> lock(mu);
        read_ms.push_back(ms);
        if (!r || r->status != 200) reads_failed++;
      }
    });
    const Phase p = run_enrollments(spread ? 2 * enroll : enroll);
    stop = true;
    for (auto& t : threads) t.join();
    const double secs = Seconds(start);
    report(spread ? "flood, spread:" : "flood, one account:", p);
    std::string codes;
    for (const auto& [code, n] : statuses) codes += absl::StrFormat(" %d:%ld", code, n);
    std::printf("%-28s logins %ld in %.1f s = %.1f/s, statuses%s\n", "", attempts.load(), secs,
                attempts / secs, codes.c_str());
    std::printf("%-28s reads %zu, p95 %s ms, %ld failed\n", "", read_ms.size(),
                Percentile(read_ms, 0.95).c_str(), reads_failed);
  }
  (*srv)->Stop();
  serving.join();
  std::filesystem::remove_all(dir);
  return 0;
}
