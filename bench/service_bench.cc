// The enrollment service's figures (docs/enrollment.md, "Performance"):
//
//   build/bench/service_bench startup --n 1000000 [--db URL]
//       fills a registry with N synthetic enrolled people (encrypted like real
//       ones), then times EnrollmentService::Create loading the gallery.
//       --reuse times it again on the registry the last run filled.
//   build/bench/service_bench http --gallery 100000 --enroll 200 [--db URL]
//       fills a gallery, starts the HTTP server in-process (2 workers) and
//       drives it from 2 client threads: enrollments/s with p50/p95 latency,
//       then 1:1 verifications/s.
//   build/bench/service_bench pull --n 20000 [--db URL]
//       fills the centre with N people in one office, certifies a kit for that
//       region and times the kit's pulls of the whole snapshot (request,
//       answer at the centre, apply on the kit's SQLite), then a pull with
//       nothing new. Synthetic families of four.
//
// Without --db a SQLite file in a temporary directory is used. A PostgreSQL
// URL must name an empty database or schema (it is migrated here).
#include <httplib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/models.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/demographic_match.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/keys.h"
#include "puente/registry/kits.h"
#include "puente/registry/migrator.h"
#include "puente/registry/regional.h"
#include "puente/registry/registration_number.h"
#include "puente/server/server.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/tx.h"
#include "synthetic_names.h"

using namespace puente;
using Steady = std::chrono::steady_clock;
using nlohmann::json;

namespace {

// Common surnames: the synthetic registry shares them the way a real one does,
// so every enrollment examines a realistic number of demographic candidates.
const char* const kSurnames[] = {"Pérez",  "González", "Rodríguez", "Hernández",
                                 "García", "Martínez", "López",     "Díaz",
                                 "Moreno", "Castillo", "Rojas",     "Vargas"};
const char* const kGiven[] = {"María", "José", "Ana", "Luis", "Carmen", "Juan", "Rosa", "Pedro"};

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// N synthetic people, each with a case-less-cost applicant row, an encrypted
// int8 face template of a random unit vector and their match keys.
absl::Status Fill(registry::Registry& reg, long n) {
  std::mt19937 rng(169);
  std::normal_distribution<float> gauss;
  const auto start = Steady::now();
  const long batch = 10000;
  for (long done = 0; done < n; done += batch) {
    absl::Status st = registry::InTransaction(reg.database(), [&]() -> absl::Status {
      registry::internal::Tx tx(reg.database(), reg.keys(), puente::Clock::Real(), "bench");
      std::string case_id;
      const std::string now = FormatTimestamp(absl::Now());
      for (long i = done; i < std::min(n, done + batch); ++i) {
        if (i % 4 == 0) {  // families of four
          PUENTE_ASSIGN_OR_RETURN(case_id, registry::internal::NewUuid());
          const std::string case_no = absl::StrFormat("C100-2026-%06d", i / 4 + 1);
          tx.sql() << "INSERT INTO cases (id, case_number, status, office_code, created_at, "
                      "created_by, updated_at) VALUES (:i, :n, 'registered', '100', :c, "
                      "'bench', :u)",
              soci::use(case_id), soci::use(case_no), soci::use(now), soci::use(now);
        }
        registry::Applicant a;
        PUENTE_ASSIGN_OR_RETURN(a.id, registry::internal::NewUuid());
        a.registration_number = registry::FormatRegistrationNumber("100", 2026, i + 1);
        a.given_names = "Persona " + bench::Letters(i);
        a.surname1 = kSurnames[i % 12];
        a.surname2 = kSurnames[(i / 12) % 12];
        a.sex = i % 2 ? registry::Sex::kFemale : registry::Sex::kMale;
        a.date_of_birth = {1950 + static_cast<int>(i % 60), 1 + static_cast<int>(i % 12),
                           1 + static_cast<int>(i % 28), registry::DatePrecision::kExact};
        a.nationality = "VEN";
        a.office_code = "100";
        a.officer = "bench";
        a.relationship =
            i % 4 == 0 ? registry::Relationship::kPrincipal : registry::Relationship::kChild;
        a.created_at = a.updated_at = now;
        PUENTE_RETURN_IF_ERROR(registry::internal::InsertApplicant(tx, a, case_id));
        const biometrics::TemplateSetInfo& set =
            biometrics::InfoOf(biometrics::kDefaultTemplateSet);
        std::vector<float> v(set.dimension);
        for (float& x : v) x = gauss(rng);
        PUENTE_ASSIGN_OR_RETURN(auto t, biometrics::FaceTemplate::FromFeature(
                                            std::string(set.model_id), set.version, v));
        PUENTE_ASSIGN_OR_RETURN(std::string enrollment_id, registry::internal::NewUuid());
        PUENTE_ASSIGN_OR_RETURN(
            std::string template_enc,
            reg.keys().Seal(t.ToInt8().Serialize(), "enrollments.template/" + enrollment_id));
        PUENTE_ASSIGN_OR_RETURN(std::string photo_enc,
                                reg.keys().Seal("synthetic", "enrollments.photo/" + enrollment_id));
        tx.sql() << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, template_enc, "
                    "model_id, quality, created_at, created_by, updated_at) VALUES (:i, :a, "
                    "'cleared', :p, :t, 'fr_feature+reid_0095', '{}', :c, 'bench', :u)",
            soci::use(enrollment_id), soci::use(a.id), soci::use(photo_enc),
            soci::use(template_enc), soci::use(now), soci::use(now);
        for (const std::string& k : registry::MatchKeys(registry::DemographicsOf(a))) {
          PUENTE_ASSIGN_OR_RETURN(std::string b, reg.keys().BlindIndex("match", k));
          tx.sql() << "INSERT INTO match_keys (applicant_id, key_bidx) VALUES (:a, :k)",
              soci::use(a.id), soci::use(b);
        }
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if ((done / batch) % 10 == 9) {
      std::fprintf(stderr, "  filled %ld (%.0f/s)\n", done + batch,
                   (done + batch) / Seconds(start));
    }
  }
  std::printf("filled %ld synthetic enrollments in %.1f s\n", n, Seconds(start));
  return absl::OkStatus();
}

std::string Percentile(std::vector<double> ms, double p) {
  if (ms.empty()) return "-";
  std::sort(ms.begin(), ms.end());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", ms[static_cast<size_t>(p * (ms.size() - 1))]);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s startup|http [--n N] [--gallery N] [--enroll M] [--db URL]\n",
                 argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  long n = 100000, gallery = 100000, enroll = 200;
  std::string db, faces = "../shared/faces/dev", models = biometrics::ModelsDir();
  bool reuse = false;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--reuse") {
      reuse = true;
      continue;
    }
    if (i + 1 >= argc) break;
    if (flag == "--n") n = std::atol(argv[i + 1]);
    if (flag == "--gallery") gallery = std::atol(argv[i + 1]);
    if (flag == "--enroll") enroll = std::atol(argv[i + 1]);
    if (flag == "--db") db = argv[i + 1];
    if (flag == "--faces") faces = argv[i + 1];
    ++i;
  }
  // --reuse (startup, SQLite only): time start-up again on the registry the
  // previous run filled, without filling it again.
  const auto dir = std::filesystem::temp_directory_path() / "puente-service-bench";
  reuse = reuse && mode == "startup" && db.empty() && std::filesystem::exists(dir / "bench.db");
  if (!reuse) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  if (db.empty()) db = "sqlite:" + (dir / "bench.db").string();
  const std::string key_file = (dir / "master.key").string();
  if (!reuse && !registry::CreateMasterKeyFile(key_file).ok()) return 1;
  auto master = registry::LoadMasterKey(key_file);
  {
    auto raw = registry::Database::Open(db);
    if (!raw.ok() || !registry::Migrate(**raw).ok()) {
      std::fprintf(stderr, "cannot open or migrate %s\n", db.c_str());
      return 1;
    }
  }
  auto reg = registry::Registry::Open(db, *master);
  if (!reg.ok()) return 1;
  auto capture = biometrics::FaceCapture::Create(models);
  if (!capture.ok()) return 1;
  if (auto st = reuse ? absl::OkStatus() : Fill(**reg, mode == "http" ? gallery : n); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return 1;
  }
  if (mode == "startup") {
    const long rss_before = MaxRssMb();
    const auto start = Steady::now();
    auto service = registry::EnrollmentService::Create(**reg, **capture);
    if (!service.ok()) return 1;
    std::printf(
        "start-up with %zu enrolled templates: %.1f s (gallery %zu MB of templates; "
        "max RSS %ld MB, %ld MB before)\n",
        (*service)->gallery().size(), Seconds(start), (*service)->gallery().TemplateBytes() >> 20,
        MaxRssMb(), rss_before);
    return 0;
  }

  if (mode == "pull") {
    // The kit: its own SQLite registry, certified for office 100's region.
    auto kit_key = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    auto root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    auto rec = registry::KitAuthority(**reg).Certify("bench", "bench-kit",
                                                     kit_key.key().verifying_key(), 60, 30);
    if (!rec.ok() || !registry::KitAuthority(**reg).SetRegion("bench", "bench-kit", {"100"}).ok()) {
      return 1;
    }
    const std::string kit_db = "sqlite:" + (dir / "kit.db").string();
    {
      auto raw = registry::Database::Open(kit_db);
      if (!raw.ok() || !registry::Migrate(**raw).ok()) return 1;
    }
    auto kit = registry::Registry::Open(kit_db, *master);
    if (!kit.ok()) return 1;
    registry::KitIdentity id;
    id.kit_id = "bench-kit";
    id.office_code = rec->office_code;
    id.key = kit_key;
    id.not_after = rec->not_after;
    id.root_public_key = root.key().verifying_key().raw();
    id.centre_bundle_key = std::string(32, 'k');
    if (!registry::InstallKitIdentity(**kit, "bench", id).ok()) return 1;
    auto kit_service = registry::EnrollmentService::Create(**kit, **capture);
    if (!kit_service.ok()) return 1;
    // The centre answers five minutes after the fill (a kit pulls long after
    // the changes it fetches; changes of the last two minutes are re-sent).
    FixedClock later(absl::Now() + absl::Minutes(5));
    auto centre = registry::Registry::Open(db, *master, later);
    if (!centre.ok()) return 1;
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    const std::string tl = *credentials::SignTrustList({1, now, now + 86400, {}}, root);
    const std::string rl = *credentials::SignRevocationList({1, now, now + 86400, {}}, root);
    for (int round = 0; round < 2; ++round) {
      double answer_s = 0, apply_s = 0;
      size_t bytes = 0;
      int pages = 0, added = 0;
      const auto start = Steady::now();
      for (bool more = true; more; ++pages) {
        auto req = registry::RegionalSnapshot::MakeRequest(**kit);
        if (!req.ok()) return 1;
        auto t = Steady::now();
        auto answer = registry::RegionalSnapshot::Answer(**centre, req->text, root, tl, rl);
        answer_s += Seconds(t);
        if (!answer.ok()) {
          std::fprintf(stderr, "%s\n", std::string(answer.status().message()).c_str());
          return 1;
        }
        bytes += answer->size();
        t = Steady::now();
        auto r = registry::RegionalSnapshot::Apply(**kit, **kit_service, "bench", *req, *answer);
        apply_s += Seconds(t);
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
          return 1;
        }
        added += r->people.added;
        more = r->more;
      }
      const double total = Seconds(start);
      std::printf(
          "%s pull, region of %ld people (%s centre): %d added in %d page(s), %.1f s "
          "(centre answers %.1f s, kit applies %.1f s) = %.0f people/s; %.1f MB "
          "answered; kit gallery %zu\n",
          round == 0 ? "first" : "next", n, db.substr(0, db.find(':')).c_str(), added, pages, total,
          answer_s, apply_s, added / std::max(total, 1e-9), bytes / 1048576.0,
          (*kit_service)->gallery().size());
    }
    std::printf("max RSS %ld MB\n", MaxRssMb());
    return 0;
  }

  // HTTP: the real server in-process, 2 workers, 2 client threads.
  server::ServerConfig config(*master);
  config.db_url = db;
  config.models_dir = models;
  auto srv = server::Server::Create(std::move(config));
  if (!srv.ok()) return 1;
  (void)(*srv)->EnsureAdmin("admin", "admin-password-1");
  const int port = *(*srv)->Bind("127.0.0.1", 0);
  std::thread serving([&] { (*srv)->Serve(); });
  httplib::Client admin("127.0.0.1", port);
  auto login = [&](httplib::Client& c, const std::string& u, const std::string& p) {
    auto r =
        c.Post("/api/v1/sessions", json{{"user", u}, {"password", p}}.dump(), "application/json");
    return json::parse(r->body)["token"].get<std::string>();
  };
  const std::string admin_token = login(admin, "admin", "admin-password-1");
  admin.Post("/api/v1/users", {{"Authorization", "Bearer " + admin_token}},
             json{{"name", "ana"}, {"role", "officer"}, {"password", "officer-pw-1"}}.dump(),
             "application/json");
  std::vector<std::string> photos;
  for (const auto& p : std::filesystem::recursive_directory_iterator(faces)) {
    if (p.path().extension() == ".jpg") photos.push_back(p.path().string());
  }
  std::sort(photos.begin(), photos.end());
  std::vector<std::string> bodies;
  for (long i = 0; i < enroll; ++i) {
    std::ifstream f(photos[i % photos.size()], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    bodies.push_back(
        json{{"applicant",
              {{"given_names", kGiven[i % 8] + std::string(" ") + bench::Letters(i)},
               {"surname1", kSurnames[(i * 7) % 12]},
               {"surname2", kSurnames[(i * 5 + 3) % 12]},
               {"sex", "X"},
               {"date_of_birth",
                absl::StrFormat("%04d-%02d-%02d", 1950 + (i * 13) % 60, 1 + i % 12, 1 + i % 28)},
               {"nationality", "XXX"},
               {"office_code", "101"}}},
             {"photo_base64", crypto::Base64Encode(bytes)}}
            .dump());
  }
  std::atomic<long> next{0};
  std::vector<std::vector<double>> lat(2);
  std::vector<std::vector<std::string>> enrolled(2);
  long refused = 0;
  std::atomic<long> refused_count{0};
  const auto start = Steady::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(120);
      const std::string token = login(c, "ana", "officer-pw-1");
      for (long i = next++; i < enroll; i = next++) {
        const auto s = Steady::now();
        auto r = c.Post("/api/v1/enrollments", {{"Authorization", "Bearer " + token}}, bodies[i],
                        "application/json");
        lat[t].push_back(Seconds(s) * 1000);
        if (r && r->status == 201) {
          enrolled[t].push_back(json::parse(r->body)["applicant"]["registration_number"]);
        } else {
          if (refused_count++ == 0) {
            std::fprintf(stderr, "first refusal: %d %s\n", r ? r->status : -1,
                         r ? r->body.c_str() : httplib::to_string(r.error()).c_str());
          }
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  const double enroll_secs = Seconds(start);
  refused = refused_count;
  std::vector<double> all = lat[0];
  all.insert(all.end(), lat[1].begin(), lat[1].end());
  std::printf(
      "HTTP enrollments, gallery %ld, %s: %ld requests in %.1f s = %.1f/s "
      "(%ld refused); latency p50 %s ms, p95 %s ms\n",
      gallery, db.substr(0, db.find(':')).c_str(), enroll, enroll_secs, enroll / enroll_secs,
      refused, Percentile(all, 0.5).c_str(), Percentile(all, 0.95).c_str());

  // 1:1 verifications of the people just enrolled.
  std::vector<std::string> regs = enrolled[0];
  regs.insert(regs.end(), enrolled[1].begin(), enrolled[1].end());
  std::atomic<long> vnext{0};
  const long verifications = std::min<long>(regs.size(), 200);
  std::vector<std::vector<double>> vlat(2);
  const auto vstart = Steady::now();
  clients.clear();
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(120);
      const std::string token = login(c, "ana", "officer-pw-1");
      for (long i = vnext++; i < verifications; i = vnext++) {
        json body = json::parse(bodies[i]);
        body.erase("applicant");
        const auto s = Steady::now();
        c.Post(("/api/v1/applicants/" + regs[i] + "/verify-face").c_str(),
               {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
        vlat[t].push_back(Seconds(s) * 1000);
      }
    });
  }
  for (auto& c : clients) c.join();
  const double vsecs = Seconds(vstart);
  std::vector<double> vall = vlat[0];
  vall.insert(vall.end(), vlat[1].begin(), vlat[1].end());
  std::printf("HTTP 1:1 verifications: %ld in %.1f s = %.1f/s; latency p50 %s ms, p95 %s ms\n",
              verifications, vsecs, verifications / vsecs, Percentile(vall, 0.5).c_str(),
              Percentile(vall, 0.95).c_str());
  (*srv)->Stop();
  serving.join();
  return 0;
}
