// Deduplication at scale (issue 14, docs/enrollment.md "Deduplication at
// scale"): the real EnrollmentService, default policy and template set, on a
// SQLite registry in a temporary directory, over the labelled scale set
// (../shared/faces/scale, see its README).
//
//   build/bench/dedup_bench --models var/models --scale ../shared/faces/scale \
//       --threads 2 --json var/out/dedup_bench.json
//   build/bench/dedup_bench --quick ...   (a few minutes: 60 people, 800 distractors)
//
// Wave 1 enrolls one photo of every mated person (the first that passes the
// quality gate) and 90% of the distractors, in a seeded order, each with
// random unrelated demographics. At each checkpoint (gallery sizes, e.g.
// 1000, 3000 and the full wave) the registry is copied (VACUUM INTO) and the
// probes are enrolled on the copy with a fresh service, each probe's face
// removed from the copy's gallery after its enrollment so every probe meets
// the checkpoint's gallery:
//   - face-only duplicates: the mated people's other photos, new unrelated
//     demographics;
//   - same-details duplicates: one photo per mated person keeping the
//     reference's names, date of birth and sex (for people with only two
//     photos, all CFD ones, the one other photo is enrolled both ways);
//   - new applicants: the 10% of distractors held back from wave 1.
// Wave 1's own enrollments (all different people) are also counted as new
// applicants against the growing gallery.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_format.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/models.h"
#include "puente/registry/candidate_policy.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/keys.h"
#include "puente/registry/migrator.h"
#include "puente/registry/registry.h"
#include "scale_set.h"
#include "storage/internal/session.h"

namespace fs = std::filesystem;
using namespace puente;
using Steady = std::chrono::steady_clock;
using nlohmann::json;

namespace {

// ---- the scale set ---------------------------------------------------------

using Photo = puente::bench::ScalePhoto;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- demographics ----------------------------------------------------------

// Plausible Latin-American people: one or two given names, two surnames
// drawn with a heavy head (a few surnames are very common, as in life), a
// date of birth 1950-2008, a sex. Exact repeats of names + date of birth
// are redrawn, so two different people share them only as rarely as the
// name lists make alike-but-different names.
class People {
 public:
  explicit People(uint32_t seed) : rng_(seed) {}

  registry::NewApplicant Next() {
    registry::NewApplicant a;
    for (;;) {
      const bool female = rng_() % 2 == 0;
      const auto& given = female ? kFemale : kMale;
      std::uniform_int_distribution<size_t> g(0, given.size() - 1);
      a.given_names = given[g(rng_)];
      if (rng_() % 2 == 0) {
        std::string second = given[g(rng_)];
        if (second != a.given_names) a.given_names += " " + second;
      }
      a.surname1 = Surname();
      a.surname2 = Surname();
      a.sex = female ? registry::Sex::kFemale : registry::Sex::kMale;
      std::uniform_int_distribution<int> year(1950, 2008), month(1, 12), day(1, 28);
      a.date_of_birth = {year(rng_), month(rng_), day(rng_), registry::DatePrecision::kExact};
      const std::string key =
          a.given_names + "|" + a.surname1 + "|" + a.surname2 + "|" + a.date_of_birth.ToString();
      if (seen_.insert(key).second) break;
      ++redrawn_;
    }
    static const char* const kNationality[] = {"VEN", "COL", "NIC", "CUB", "ECU", "HTI"};
    a.nationality = kNationality[rng_() % 6];
    a.place_of_birth = "Caracas";
    a.languages = {"spa"};
    a.address = "Calle 50, Bella Vista, Panamá";
    a.office_code = "101";
    a.officer = "bench.officer";
    return a;
  }
  int redrawn() const { return redrawn_; }

 private:
  std::string Surname() {
    // Zipf-like: P(rank r) ~ 1 / (r + 3).
    if (weights_.empty()) {
      for (size_t r = 0; r < kSurnames.size(); ++r) weights_.push_back(1.0 / (r + 3.0));
    }
    std::discrete_distribution<size_t> d(weights_.begin(), weights_.end());
    return kSurnames[d(rng_)];
  }

  inline static const std::vector<std::string> kFemale = {
      "María",     "Ana",       "Carmen",  "Rosa",     "Luisa",   "Isabel",   "Gabriela",
      "Daniela",   "Valentina", "Camila",  "Sofía",    "Lucía",   "Paola",    "Andrea",
      "Carolina",  "Patricia",  "Yolanda", "Mariela",  "Yesenia", "Milagros", "Fernanda",
      "Natalia",   "Adriana",   "Beatriz", "Claudia",  "Diana",   "Elena",    "Esperanza",
      "Gloria",    "Juana",     "Leticia", "Marisol",  "Norma",   "Olga",     "Pilar",
      "Raquel",    "Silvia",    "Teresa",  "Verónica", "Ximena",  "Yuliana",  "Zoila",
      "Alejandra", "Karina",    "Liliana", "Mónica",   "Susana",  "Wendy"};
  inline static const std::vector<std::string> kMale = {
      "José",     "Luis",      "Juan",      "Carlos",  "Pedro",    "Jorge",    "Miguel",  "Manuel",
      "Antonio",  "Francisco", "Alejandro", "Andrés",  "Diego",    "Fernando", "Gabriel", "Javier",
      "Jesús",    "Rafael",    "Ricardo",   "Roberto", "Santiago", "Sergio",   "Víctor",  "Wilmer",
      "Yonder",   "Alberto",   "Eduardo",   "Enrique", "Héctor",   "Hugo",     "Iván",    "Julio",
      "Leonardo", "Marco",     "Mario",     "Nelson",  "Óscar",    "Pablo",    "Ramón",   "Raúl",
      "Rubén",    "Samuel",    "Tomás",     "Darwin",  "Édgar",    "Freddy",   "Gustavo", "Kevin"};
  inline static const std::vector<std::string> kSurnames = {
      "González",   "Rodríguez",  "Pérez",     "Hernández",  "García",    "Martínez",   "López",
      "Díaz",       "Sánchez",    "Ramírez",   "Torres",     "Flores",    "Rojas",      "Gómez",
      "Vargas",     "Castillo",   "Moreno",    "Jiménez",    "Romero",    "Herrera",    "Medina",
      "Aguilar",    "Castro",     "Ruiz",      "Álvarez",    "Mendoza",   "Silva",      "Ortiz",
      "Chávez",     "Morales",    "Suárez",    "Rivera",     "Gutiérrez", "Salazar",    "Reyes",
      "Cruz",       "Guerrero",   "Mejía",     "Ramos",      "Delgado",   "Vásquez",    "Cabrera",
      "Contreras",  "Fuentes",    "Acosta",    "Molina",     "Navarro",   "Peña",       "Rivas",
      "Campos",     "Vega",       "Figueroa",  "Carrasco",   "Paredes",   "Quintero",   "Marcano",
      "Sandoval",   "Bermúdez",   "Zambrano",  "Villalobos", "Montilla",  "Urdaneta",   "Briceño",
      "Colmenares", "Pacheco",    "Escobar",   "Cárdenas",   "Osorio",    "Valencia",   "Arango",
      "Restrepo",   "Londoño",    "Ospina",    "Zapata",     "Cano",      "Bustamante", "Henao",
      "Toro",       "Salas",      "Barrios",   "Ibarra",     "Lozano",    "Montes",     "Pineda",
      "Quiroz",     "Tapia",      "Valdez",    "Zúñiga",     "Bolívar",   "Arismendi",  "Guzmán",
      "Linares",    "Meléndez",   "Noguera",   "Orozco",     "Palacios",  "Rangel",     "Sifontes",
      "Tovar",      "Uzcátegui",  "Velásquez", "Yépez",      "Albornoz",  "Benítez",    "Carvajal",
      "Duarte",     "Echeverría", "Fajardo",   "Galindo",    "Hurtado",   "Infante",    "Jaramillo",
      "Lugo",       "Maldonado",  "Nieves",    "Ochoa",      "Prieto",    "Quijada",    "Rincón",
      "Solórzano",  "Trujillo",   "Useche",    "Villegas",   "Zamora",    "Alvarado",   "Becerra"};

  std::mt19937 rng_;
  std::vector<double> weights_;
  std::set<std::string> seen_;
  int redrawn_ = 0;
};

// ---- probes and results ----------------------------------------------------

enum class Kind { kFaceOnly, kSameDetails, kNew };
const char* KindName(Kind k) {
  return k == Kind::kFaceOnly ? "face_only" : k == Kind::kSameDetails ? "same_details" : "new";
}

struct Probe {
  const Photo* photo = nullptr;
  Kind kind = Kind::kNew;
  bool flagged = false;  // this photo or its person's reference is flagged
  registry::NewApplicant applicant;
};

struct Outcome {
  bool done = false;
  bool refused = false;
  registry::EnrollmentStatus status = registry::EnrollmentStatus::kCleared;
  bool caught = false;                 // held with a hold-tier candidate of the same person
  bool true_flagged = false;           // the same person among the flag-tier candidates only
  bool rank1 = false;                  // the first candidate is the same person
  std::optional<double> true_fused;    // best fused score of the same person
  std::optional<float> true_face;      // best face score of the same person
  std::optional<double> top_impostor;  // best fused score of anyone else
  double ms = 0;
};

struct Checkpoint {
  size_t gallery = 0;
  std::string db_url;
  std::unordered_map<std::string, std::string> identity_of;  // reg no -> identity
  std::vector<Outcome> outcomes;                             // by probe index
  std::vector<double> create_s;
};

struct Job {
  Checkpoint* checkpoint;
  std::string db_url;  // a copy of the checkpoint's registry
  std::vector<size_t> probes;
};

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
}

bool IsRefusal(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument &&
         s.message().find("photo") != std::string_view::npos;
}

absl::Status CopyRegistry(registry::Registry& reg, const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  try {
    registry::internal::Session(reg.database()) << "VACUUM INTO '" + path + "'";
  } catch (const soci::soci_error& e) {
    return absl::InternalError(std::string("VACUUM INTO: ") + e.what());
  }
  return absl::OkStatus();
}

std::string Arg(int argc, char** argv, const std::string& flag, std::string def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return argv[i + 1];
  }
  return def;
}
bool Has(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == flag) return true;
  }
  return false;
}

// ---- the report ------------------------------------------------------------

struct Rates {
  int n = 0, refused = 0, held = 0, flagged = 0, caught = 0, rank1 = 0;
  std::vector<double> ms;
};

Rates Tally(const std::vector<Probe>& probes, const std::vector<Outcome>& out, Kind kind,
            int subset) {
  Rates r;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& p = probes[i];
    if (p.kind != kind || !out[i].done) continue;
    if (subset == 1 && !p.photo->studio) continue;
    if (subset == 2 && p.flagged) continue;
    if (out[i].refused) {
      ++r.refused;
      continue;
    }
    ++r.n;
    r.held += out[i].status == registry::EnrollmentStatus::kHeld;
    r.flagged += out[i].status == registry::EnrollmentStatus::kFlagged;
    r.caught += out[i].caught;
    r.rank1 += out[i].rank1;
    r.ms.push_back(out[i].ms);
  }
  return r;
}

std::string Pct(int k, int n) {
  if (n == 0) return "–";
  return absl::StrFormat("%.1f%% (%d/%d)", 100.0 * k / n, k, n);
}

}  // namespace

int main(int argc, char** argv) {
  if (Has(argc, argv, "--help")) {
    std::printf(
        "usage: %s [--models DIR] [--scale DIR] [--threads 1|2] [--quick] [--people N]\n"
        "          [--distractors N] [--checkpoints 1000,3000] [--seed S] [--json FILE]\n"
        "          [--keep DIR]\n",
        argv[0]);
    return 0;
  }
  const std::string models = Arg(argc, argv, "--models", biometrics::ModelsDir());
  const fs::path scale = Arg(argc, argv, "--scale", "../shared/faces/scale");
  const int threads = std::clamp(std::atoi(Arg(argc, argv, "--threads", "1").c_str()), 1, 2);
  const bool quick = Has(argc, argv, "--quick");
  const long max_people = std::atol(Arg(argc, argv, "--people", quick ? "60" : "100000").c_str());
  const long max_distractors =
      std::atol(Arg(argc, argv, "--distractors", quick ? "800" : "1000000").c_str());
  const uint32_t seed = std::atoi(Arg(argc, argv, "--seed", "14").c_str());
  std::vector<size_t> checkpoints;
  {
    std::istringstream s(Arg(argc, argv, "--checkpoints", quick ? "300" : "1000,3000"));
    std::string tok;
    while (std::getline(s, tok, ',')) checkpoints.push_back(std::stoul(tok));
  }
  const std::string json_path = Arg(argc, argv, "--json", "");

  std::vector<Photo> photos;
  if (!puente::bench::ReadScaleManifest(scale, photos)) return 1;
  // People with their photos in order; distractors shuffled, 1 in 10 held
  // back as new applicants.
  std::map<std::string, std::vector<const Photo*>> mated;
  std::vector<const Photo*> distractors;
  for (const Photo& p : photos) {
    if (p.mated) {
      mated[p.identity].push_back(&p);
    } else {
      distractors.push_back(&p);
    }
  }
  for (auto& [id, v] : mated) {
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->number < b->number; });
  }
  std::vector<std::string> people;
  for (const auto& [id, v] : mated) people.push_back(id);
  std::mt19937 order(seed);
  std::shuffle(people.begin(), people.end(), order);
  std::shuffle(distractors.begin(), distractors.end(), order);
  if (static_cast<long>(people.size()) > max_people) people.resize(max_people);
  std::vector<const Photo*> wave1_distractors, new_applicants;
  for (size_t i = 0; i < distractors.size(); ++i) {
    (i % 10 == 9 ? new_applicants : wave1_distractors).push_back(distractors[i]);
  }
  if (static_cast<long>(wave1_distractors.size()) > max_distractors) {
    wave1_distractors.resize(max_distractors);
    new_applicants.resize(std::min<size_t>(new_applicants.size(), max_distractors / 9 + 1));
  }

  const fs::path dir =
      Arg(argc, argv, "--keep",
          (fs::temp_directory_path() / absl::StrFormat("puente-dedup-%d", getpid())).string());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string key_file = (dir / "master.key").string();
  if (!registry::CreateMasterKeyFile(key_file).ok()) return 1;
  auto master = registry::LoadMasterKey(key_file);
  if (!master.ok()) return 1;
  const std::string main_url = "sqlite:" + (dir / "wave1.db").string();
  {
    auto raw = registry::Database::Open(main_url);
    if (!raw.ok() || !registry::Migrate(**raw).ok()) {
      std::fprintf(stderr, "cannot open or migrate %s\n", main_url.c_str());
      return 1;
    }
  }
  auto reg = registry::Registry::Open(main_url, *master);
  auto capture = biometrics::FaceCapture::Create(models);
  if (!reg.ok() || !capture.ok()) {
    std::fprintf(stderr, "cannot open the registry or the models in %s\n", models.c_str());
    return 1;
  }
  auto service = registry::EnrollmentService::Create(**reg, **capture);
  if (!service.ok()) {
    std::fprintf(stderr, "%s\n", std::string(service.status().message()).c_str());
    return 1;
  }
  const registry::EnrollmentPolicy policy = (*service)->policy();
  std::printf("template set %s, face model %s (tail from %.3f: log10 FMR %.2f, slope %.1f)\n",
              std::string((*capture)->template_set().name).c_str(),
              policy.face.template_set.c_str(), policy.face.tail_start, policy.face.tail_log10_fmr,
              policy.face.tail_slope);
  std::printf("%zu people, %zu wave-1 distractors, %zu new applicants held back; threads %d\n",
              people.size(), wave1_distractors.size(), new_applicants.size(), threads);

  People gen(seed);
  std::unordered_map<std::string, std::string> identity_of;  // reg no -> identity
  std::mutex identity_mu;
  std::vector<Probe> probes;

  // Work queue: checkpoint copies for the probe workers.
  std::deque<Job> jobs;
  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  bool producing = true;
  std::deque<Checkpoint> cps;  // stable addresses
  std::vector<std::atomic<char>> known_refused(200000);

  auto run_job = [&](biometrics::FaceCapture& cap, Job& job) -> absl::Status {
    auto r = registry::Registry::Open(job.db_url, *master);
    if (!r.ok()) return r.status();
    const auto t0 = Steady::now();
    auto svc = registry::EnrollmentService::Create(**r, cap);
    if (!svc.ok()) return svc.status();
    {
      std::lock_guard<std::mutex> l(jobs_mu);
      job.checkpoint->create_s.push_back(Seconds(t0));
    }
    auto gallery = (*svc)->shared_gallery();
    for (size_t i : job.probes) {
      const Probe& p = probes[i];
      Outcome& o = job.checkpoint->outcomes[i];
      if (known_refused[i].load()) {
        o.done = o.refused = true;
        continue;
      }
      const std::string bytes = ReadBytes(p.photo->path);
      const auto s = Steady::now();
      auto e = (*svc)->Enroll("bench.officer", p.applicant, bytes);
      o.ms = 1e3 * Seconds(s);
      o.done = true;
      if (!e.ok()) {
        if (!IsRefusal(e.status())) return e.status();
        o.refused = true;
        known_refused[i].store(1);
        continue;
      }
      o.status = e->status;
      for (size_t k = 0; k < e->candidates.size(); ++k) {
        const auto& c = e->candidates[k];
        auto it = job.checkpoint->identity_of.find(c.registration_number);
        const bool same = it != job.checkpoint->identity_of.end() && p.kind != Kind::kNew &&
                          it->second == p.photo->identity;
        const double fused = c.fused_score.value_or(-99);
        if (same) {
          if (k == 0) o.rank1 = true;
          if (c.tier == registry::CandidateTier::kHold) o.caught = true;
          if (c.tier == registry::CandidateTier::kFlag) o.true_flagged = true;
          if (!o.true_fused || fused > *o.true_fused) o.true_fused = fused;
          if (c.face_score && (!o.true_face || *c.face_score > *o.true_face)) {
            o.true_face = c.face_score;
          }
        } else if (!o.top_impostor || fused > *o.top_impostor) {
          o.top_impostor = fused;
        }
      }
      if (o.caught) o.true_flagged = false;
      gallery->Remove(e->applicant.id);  // every probe meets the checkpoint's gallery
    }
    return absl::OkStatus();
  };

  std::atomic<bool> failed{false};
  auto worker = [&]() {
    auto cap = biometrics::FaceCapture::Create(models);
    if (!cap.ok()) {
      failed = true;
      return;
    }
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> l(jobs_mu);
        jobs_cv.wait(l, [&] { return !jobs.empty() || !producing; });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      const auto t0 = Steady::now();
      if (auto st = run_job(**cap, job); !st.ok()) {
        std::fprintf(stderr, "probe job failed: %s\n", std::string(st.message()).c_str());
        failed = true;
        return;
      }
      std::fprintf(stderr, "  probes at gallery %zu: %zu in %.0f s\n", job.checkpoint->gallery,
                   job.probes.size(), Seconds(t0));
    }
  };

  auto snapshot = [&](size_t gallery, int parts) -> absl::Status {
    Checkpoint& cp = cps.emplace_back();
    cp.gallery = gallery;
    {
      std::lock_guard<std::mutex> l(identity_mu);
      cp.identity_of = identity_of;
    }
    cp.outcomes.resize(probes.size());
    std::vector<Job> made(parts);
    for (int k = 0; k < parts; ++k) {
      const std::string path = (dir / absl::StrFormat("cp%zu-%d.db", gallery, k)).string();
      if (auto st = CopyRegistry(**reg, path); !st.ok()) return st;
      made[k].checkpoint = &cp;
      made[k].db_url = "sqlite:" + path;
    }
    for (size_t i = 0; i < probes.size(); ++i) made[i % parts].probes.push_back(i);
    std::lock_guard<std::mutex> l(jobs_mu);
    for (Job& j : made) jobs.push_back(std::move(j));
    jobs_cv.notify_all();
    return absl::OkStatus();
  };

  std::thread helper;
  if (threads > 1) helper = std::thread(worker);

  // ---- wave 1 ----
  struct Wave1 {
    size_t gallery_before;
    registry::EnrollmentStatus status;
    bool studio;
    double ms;
  };
  std::vector<Wave1> wave1;
  int wave1_refused = 0, wave1_tried = 0;
  std::map<std::string, std::pair<const Photo*, registry::NewApplicant>> references;
  auto enroll_wave1 = [&](const Photo& p, bool& enrolled) -> absl::Status {
    registry::NewApplicant a = gen.Next();
    const std::string bytes = ReadBytes(p.path);
    const size_t before = (*service)->gallery().size();
    const auto s = Steady::now();
    auto e = (*service)->Enroll("bench.officer", a, bytes);
    const double ms = 1e3 * Seconds(s);
    ++wave1_tried;
    enrolled = false;
    if (!e.ok()) {
      if (!IsRefusal(e.status())) return e.status();
      ++wave1_refused;
      return absl::OkStatus();
    }
    enrolled = true;
    wave1.push_back({before, e->status, p.studio, ms});
    {
      std::lock_guard<std::mutex> l(identity_mu);
      identity_of[e->applicant.registration_number] = p.identity;
    }
    if (p.mated) references[p.identity] = {&p, a};
    return absl::OkStatus();
  };

  const auto start = Steady::now();
  for (const std::string& id : people) {
    for (const Photo* p : mated[id]) {
      bool enrolled = false;
      if (auto st = enroll_wave1(*p, enrolled); !st.ok()) {
        std::fprintf(stderr, "%s: %s\n", p->path.c_str(), std::string(st.message()).c_str());
        return 1;
      }
      if (enrolled) break;
    }
  }
  // The probes, now that the references are known.
  for (const std::string& id : people) {
    auto ref = references.find(id);
    if (ref == references.end()) continue;  // no photo passed the gate
    const auto& v = mated[id];
    std::vector<const Photo*> rest;
    bool after = false;
    for (const Photo* p : v) {
      if (after) rest.push_back(p);
      if (p == ref->second.first) after = true;
    }
    if (rest.empty()) continue;
    for (size_t k = 0; k < rest.size(); ++k) {
      const bool flagged = rest[k]->flagged || ref->second.first->flagged;
      if (k > 0 || rest.size() == 1) {
        probes.push_back({rest[k], Kind::kFaceOnly, flagged, gen.Next()});
      }
      if (k == 0) {
        registry::NewApplicant same = gen.Next();  // other fields new
        same.given_names = ref->second.second.given_names;
        same.surname1 = ref->second.second.surname1;
        same.surname2 = ref->second.second.surname2;
        same.date_of_birth = ref->second.second.date_of_birth;
        same.sex = ref->second.second.sex;
        probes.push_back({rest[k], Kind::kSameDetails, flagged, std::move(same)});
      }
    }
  }
  for (const Photo* p : new_applicants) probes.push_back({p, Kind::kNew, false, gen.Next()});
  std::printf("wave 1: %zu people enrolled as references; %zu probes\n", references.size(),
              probes.size());

  size_t next_cp = 0;
  std::sort(checkpoints.begin(), checkpoints.end());
  for (size_t i = 0; i < wave1_distractors.size(); ++i) {
    bool enrolled = false;
    if (auto st = enroll_wave1(*wave1_distractors[i], enrolled); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n", wave1_distractors[i]->path.c_str(),
                   std::string(st.message()).c_str());
      return 1;
    }
    const size_t n = (*service)->gallery().size();
    if (next_cp < checkpoints.size() && n >= checkpoints[next_cp]) {
      if (auto st = snapshot(n, 1); !st.ok()) return 1;
      std::fprintf(stderr, "  checkpoint at gallery %zu (%.0f s)\n", n, Seconds(start));
      ++next_cp;
    }
    if (i % 500 == 499) {
      std::fprintf(stderr, "  wave 1: %zu/%zu, gallery %zu, %.0f s\n", i + 1,
                   wave1_distractors.size(), n, Seconds(start));
    }
  }
  const double wave1_s = Seconds(start);
  const size_t full = (*service)->gallery().size();
  if (auto st = snapshot(full, threads); !st.ok()) return 1;
  {
    std::lock_guard<std::mutex> l(jobs_mu);
    producing = false;
    jobs_cv.notify_all();
  }
  worker();
  if (helper.joinable()) helper.join();
  if (failed) return 1;
  const double total_s = Seconds(start);

  // ---- report ----
  json out;
  out["seed"] = seed;
  out["threads"] = threads;
  out["wave1_seconds"] = wave1_s;
  out["total_seconds"] = total_s;
  out["names_redrawn"] = gen.redrawn();
  std::printf("\nwave 1: %d photos tried, %d refused by the quality gate, %zu enrolled in %.0f s\n",
              wave1_tried, wave1_refused, wave1.size(), wave1_s);
  std::printf("names + date of birth redrawn as exact repeats: %d\n", gen.redrawn());
  {
    // Wave 1 as new applicants against the growing gallery.
    std::printf("\nwave 1 (all different people) against the growing gallery\n");
    std::printf("| gallery | enrolled | held | flagged | studio held | p50 ms | p90 ms |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    const size_t edges[] = {0, 1000, 3000, 6000, 1u << 30};
    for (int b = 0; b + 1 < 5; ++b) {
      int n = 0, held = 0, flagged = 0, sn = 0, sheld = 0;
      std::vector<double> ms;
      for (const auto& w : wave1) {
        if (w.gallery_before < edges[b] || w.gallery_before >= edges[b + 1]) continue;
        ++n;
        held += w.status == registry::EnrollmentStatus::kHeld;
        flagged += w.status == registry::EnrollmentStatus::kFlagged;
        if (w.studio) {
          ++sn;
          sheld += w.status == registry::EnrollmentStatus::kHeld;
        }
        ms.push_back(w.ms);
      }
      if (n == 0) continue;
      std::printf("| %zu–%zu | %d | %s | %s | %s | %.0f | %.0f |\n", edges[b],
                  std::min<size_t>(edges[b + 1], full), n, Pct(held, n).c_str(),
                  Pct(flagged, n).c_str(), Pct(sheld, sn).c_str(), Quantile(ms, 0.5),
                  Quantile(ms, 0.9));
      out["wave1"].push_back({{"from", edges[b]},
                              {"n", n},
                              {"held", held},
                              {"flagged", flagged},
                              {"studio_n", sn},
                              {"studio_held", sheld},
                              {"p50_ms", Quantile(ms, 0.5)},
                              {"p90_ms", Quantile(ms, 0.9)}});
    }
  }

  const char* const kSubset[] = {"all", "studio", "unflagged"};
  for (const Checkpoint& cp : cps) {
    const auto th = registry::ThresholdsFor(policy, cp.gallery);
    std::printf(
        "\ngallery %zu (hold at fused %.2f, flag at %.2f; face-only cosine %.3f; service "
        "start-up %.1f s)\n",
        cp.gallery, th.hold, th.flag,
        registry::OperatingPointFor(policy, cp.gallery, policy.hold_fpir).face_threshold,
        cp.create_s.empty() ? 0.0 : cp.create_s[0]);
    std::printf(
        "| subset | new: false holds | new: false flags | face-only caught | face-only rank-1 | "
        "same-details caught | same-details rank-1 | refused (new/face/same) | p50/p90 ms |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    json jc{{"gallery", cp.gallery}, {"hold", th.hold}, {"flag", th.flag}};
    for (int s = 0; s < 3; ++s) {
      const Rates nw = Tally(probes, cp.outcomes, Kind::kNew, s);
      const Rates fo = Tally(probes, cp.outcomes, Kind::kFaceOnly, s);
      const Rates sd = Tally(probes, cp.outcomes, Kind::kSameDetails, s);
      std::vector<double> ms = nw.ms;
      ms.insert(ms.end(), fo.ms.begin(), fo.ms.end());
      ms.insert(ms.end(), sd.ms.begin(), sd.ms.end());
      std::printf("| %s | %s | %s | %s | %s | %s | %s | %d/%d/%d | %.0f/%.0f |\n", kSubset[s],
                  Pct(nw.held, nw.n).c_str(), Pct(nw.flagged, nw.n).c_str(),
                  Pct(fo.caught, fo.n).c_str(), Pct(fo.rank1, fo.n).c_str(),
                  Pct(sd.caught, sd.n).c_str(), Pct(sd.rank1, sd.n).c_str(), nw.refused, fo.refused,
                  sd.refused, Quantile(ms, 0.5), Quantile(ms, 0.9));
      auto js = [](const Rates& r) {
        return json{{"n", r.n},           {"refused", r.refused},
                    {"held", r.held},     {"flagged", r.flagged},
                    {"caught", r.caught}, {"rank1", r.rank1}};
      };
      jc[kSubset[s]] = {{"new", js(nw)},
                        {"face_only", js(fo)},
                        {"same_details", js(sd)},
                        {"p50_ms", Quantile(ms, 0.5)},
                        {"p90_ms", Quantile(ms, 0.9)}};
    }
    out["checkpoints"].push_back(jc);
  }

  // ---- score-level extrapolation from the full gallery ----
  // Fused scores do not depend on N; only the thresholds do. A duplicate is
  // missed at N when its true person's fused score is below the hold
  // threshold at N (not among the candidates at all counts as below: valid
  // while the full gallery's flag threshold is below the hold threshold at N).
  // New applicants: p = share whose best fused score reaches the threshold at
  // N against the full gallery; FPIR(N) ~ 1 - (1 - p)^(N / N_full).
  const Checkpoint& last = cps.back();
  const auto th_full = registry::ThresholdsFor(policy, last.gallery);
  std::printf(
      "\nscore-level extrapolation (policy model, and the full run's measured fused scores; "
      "full gallery %zu, flag threshold %.2f)\n",
      last.gallery, th_full.flag);
  std::printf(
      "| N | hold fused | face cosine | model FNIR face-only | model FNIR same-details | "
      "measured FNIR face-only (all / unflagged / studio) | measured FNIR same-details (all / "
      "studio) | FPIR extrapolated (all / studio) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (size_t n : {last.gallery, size_t{100000}, size_t{1000000}}) {
    const auto th = registry::ThresholdsFor(policy, n);
    const auto op = registry::OperatingPointFor(policy, n, policy.hold_fpir);
    auto fnir = [&](Kind kind, int subset) {
      int total = 0, missed = 0;
      for (size_t i = 0; i < probes.size(); ++i) {
        const Probe& p = probes[i];
        const Outcome& o = last.outcomes[i];
        if (p.kind != kind || !o.done || o.refused) continue;
        if (subset == 1 && !p.photo->studio) continue;
        if (subset == 2 && p.flagged) continue;
        ++total;
        missed += !o.true_fused || *o.true_fused < th.hold;
      }
      return std::pair<int, int>{missed, total};
    };
    auto fpir = [&](int subset) {
      int total = 0, hit = 0;
      for (size_t i = 0; i < probes.size(); ++i) {
        const Probe& p = probes[i];
        const Outcome& o = last.outcomes[i];
        if (p.kind != Kind::kNew || !o.done || o.refused) continue;
        if (subset == 1 && !p.photo->studio) continue;
        ++total;
        hit += o.top_impostor && *o.top_impostor >= th.hold;
      }
      const double p = total ? static_cast<double>(hit) / total : 0;
      return std::pair<double, int>{
          1 - std::pow(1 - p, static_cast<double>(n) / static_cast<double>(last.gallery)), hit};
    };
    const auto fa = fnir(Kind::kFaceOnly, 0), fu = fnir(Kind::kFaceOnly, 2),
               fs_ = fnir(Kind::kFaceOnly, 1);
    const auto sa = fnir(Kind::kSameDetails, 0), ss = fnir(Kind::kSameDetails, 1);
    const auto pa = fpir(0), ps = fpir(1);
    auto r = [](std::pair<int, int> x) {
      return x.second ? absl::StrFormat("%.1f%%", 100.0 * x.first / x.second) : std::string("–");
    };
    std::printf(
        "| %zu | %.2f | %.3f | %.1f%% | %.2f%% | %s / %s / %s | %s / %s | %.2f%% (%d) / "
        "%.2f%% (%d) |\n",
        n, th.hold, op.face_threshold, 100 * op.fnir_face_only, 100 * op.fnir_same_details,
        r(fa).c_str(), r(fu).c_str(), r(fs_).c_str(), r(sa).c_str(), r(ss).c_str(), 100 * pa.first,
        pa.second, 100 * ps.first, ps.second);
    out["extrapolation"].push_back({{"n", n},
                                    {"hold", th.hold},
                                    {"face_threshold", op.face_threshold},
                                    {"model_fnir_face_only", op.fnir_face_only},
                                    {"model_fnir_same_details", op.fnir_same_details},
                                    {"fnir_face_only", {fa.first, fa.second}},
                                    {"fnir_face_only_unflagged", {fu.first, fu.second}},
                                    {"fnir_face_only_studio", {fs_.first, fs_.second}},
                                    {"fnir_same_details", {sa.first, sa.second}},
                                    {"fnir_same_details_studio", {ss.first, ss.second}},
                                    {"fpir_all", pa.first},
                                    {"fpir_studio", ps.first}});
  }
  if (th_full.flag > registry::ThresholdsFor(policy, 100000).hold) {
    std::printf("warning: the full gallery's flag threshold is above the 100k hold threshold\n");
  }
  // Per-probe genuine scores for later analysis.
  for (size_t i = 0; i < probes.size(); ++i) {
    const Outcome& o = last.outcomes[i];
    out["probes"].push_back({{"photo", probes[i].photo->path.substr(scale.string().size())},
                             {"kind", KindName(probes[i].kind)},
                             {"flagged", probes[i].flagged},
                             {"refused", o.refused},
                             {"status", std::string(registry::ToString(o.status))},
                             {"caught", o.caught},
                             {"rank1", o.rank1},
                             {"true_fused", o.true_fused ? json(*o.true_fused) : json()},
                             {"true_face", o.true_face ? json(*o.true_face) : json()},
                             {"top_impostor", o.top_impostor ? json(*o.top_impostor) : json()}});
  }
  std::printf("\ntotal %.0f s\n", total_s);
  if (!json_path.empty()) {
    fs::create_directories(fs::path(json_path).parent_path());
    std::ofstream(json_path) << out.dump(1) << "\n";
  }
  if (!Has(argc, argv, "--keep")) fs::remove_all(dir);
  return 0;
}
