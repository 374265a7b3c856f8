// A statistics release at scale (docs/statistics.md, "Performance"):
//
//   build/bench/stats_bench [--people 1000000] [--cases 300000] [--db URL [--fill 0]]
//                           [--reuse PATH]
//
// fills a registry with synthetic people in cases (bulk inserts, one
// transaction per 20,000 rows; each date of birth sealed like a real one,
// the other personal columns, which a release never reads, hold a
// placeholder), status histories, enrollments, candidates, cards, births,
// then times ComputeRelease for the whole period, national and for one
// office, and reports the peak resident memory before and after. Without
// --db a SQLite file in a temporary directory is used; --reuse PATH keeps
// (or reuses) a SQLite file so a second run skips the fill; --fill 0 skips it
// on a --db filled before.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "absl/strings/str_format.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/births.h"
#include "puente/registry/keys.h"
#include "puente/registry/migrator.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/stats.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/tx.h"

using namespace puente;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

// User + system CPU seconds of this process so far (every thread).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

const char* const kNationalities[] = {"VEN", "VEN", "VEN", "VEN", "VEN", "COL", "COL", "HTI",
                                      "ECU", "CUB", "NIC", "CHN", "IND", "CMR", "XXA", "XXX"};

// The office day `days` after 2026-01-01 and a timestamp at 10:00 office time.
absl::CivilDay Day(int days) { return absl::CivilDay(2026, 1, 1) + days; }
std::string Stamp(int days, int seconds = 0) {
  return FormatTimestamp(
      absl::FromCivil(absl::CivilSecond(Day(days)) + 15 * 3600 + seconds, absl::UTCTimeZone()));
}

// Placeholders of the sizes real ciphertexts have (base64 of nonce, text and
// tag), for the columns a release never reads: the rows, and so the pages
// a release scans, are as large as a real registry's. Photos are the
// exception (tens of KB each, read by no release query: the enrollment's
// status and applicant id come first in its row).
const std::string kRegNo(72, 'r'), kGivenNames(64, 'g'), kSurname(56, 's'), kPlace(60, 'p'),
    kPhone(56, 'f'), kAddress(88, 'a'), kReason(64, 'w'), kPhoto(2048, 'i'), kTemplate(712, 't'),
    kQr(640, 'q');

absl::Status Fill(registry::Registry& reg, long people, long cases) {
  std::mt19937 rng(18);
  const auto start = Steady::now();
  const int span = 333;  // 2026-01-01 .. 2026-11-29
  std::uniform_int_distribution<int> day(0, span - 1), pick(0, 15), percent(0, 99);
  const long per_case = people / cases;
  const long batch_cases = 6000;
  long person = 0, card_serial = 0;
  for (long c0 = 0; c0 < cases; c0 += batch_cases) {
    PUENTE_RETURN_IF_ERROR(registry::InTransaction(reg.database(), [&]() -> absl::Status {
      registry::internal::Tx tx(reg.database(), reg.keys(), Clock::Real(), "bench");
      soci::session& sql = tx.sql();
      std::string case_id, case_no, status, office, created, officer;
      soci::statement add_case =
          (sql.prepare << "INSERT INTO cases (id, case_number, status, office_code, created_at, "
                          "created_by, updated_at) VALUES (:i, :n, :s, :o, :c, :b, :c2)",
           soci::use(case_id), soci::use(case_no), soci::use(status), soci::use(office),
           soci::use(created), soci::use(officer), soci::use(created));
      std::string hid, from, to, effective;
      soci::indicator from_ind = soci::i_null;
      int seq = 0;
      soci::statement add_step =
          (sql.prepare << "INSERT INTO case_status_history (id, case_id, seq, from_status, "
                          "to_status, effective, changed_at, changed_by, reason_enc) VALUES (:i, "
                          ":c, :q, :f, :t, :e, :a, :b, :r)",
           soci::use(hid), soci::use(case_id), soci::use(seq), soci::use(from, from_ind),
           soci::use(to), soci::use(effective), soci::use(created), soci::use(officer),
           soci::use(kReason));
      std::string aid, bidx, relationship, sex, nationality, dob_enc;
      soci::statement add_person =
          (sql.prepare << "INSERT INTO applicants (id, reg_no_bidx, reg_no_enc, case_id, "
                          "relationship, given_names_enc, surname1_enc, sex, date_of_birth_enc, "
                          "dob_precision, nationality, office_code, officer, created_at, "
                          "updated_at, surname2_enc, place_of_birth_enc, phone_enc, address_enc) "
                          "VALUES (:i, :b, :rn, :c, :r, :g, :s1, :s, :d, 'exact', :n, :o, :of, "
                          ":t, :t2, :s2, :pb, :ph, :ad)",
           soci::use(aid), soci::use(bidx), soci::use(kRegNo), soci::use(case_id),
           soci::use(relationship), soci::use(kGivenNames), soci::use(kSurname), soci::use(sex),
           soci::use(dob_enc), soci::use(nationality), soci::use(office), soci::use(officer),
           soci::use(created), soci::use(created), soci::use(kSurname), soci::use(kPlace),
           soci::use(kPhone), soci::use(kAddress));
      std::string eid, estatus;
      soci::statement add_enrollment =
          (sql.prepare << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, "
                          "template_enc, model_id, quality, created_at, created_by, updated_at) "
                          "VALUES (:i, :a, :s, :p, :tm, 'm', '{}', :c, 'bench', :c2)",
           soci::use(eid), soci::use(aid), soci::use(estatus), soci::use(kPhoto),
           soci::use(kTemplate), soci::use(created), soci::use(created));
      std::string issued, expires, cstatus, revoked;
      long long serial = 0;
      soci::indicator revoked_ind = soci::i_null;
      soci::statement add_card =
          (sql.prepare << "INSERT INTO cards (serial, applicant_id, card_type, issuer_kid, "
                          "issued_at, expires_at, status, revoked_at, revoke_reason, qr_enc, "
                          "created_by) VALUES (:s, :a, 'asylum-seeker', 'kid', :i, :e, :st, :r, "
                          "NULL, :q, 'bench')",
           soci::use(serial), soci::use(aid), soci::use(issued), soci::use(expires),
           soci::use(cstatus), soci::use(revoked, revoked_ind), soci::use(kQr));
      for (long c = c0; c < std::min(cases, c0 + batch_cases); ++c) {
        const int opened = day(rng);
        PUENTE_ASSIGN_OR_RETURN(case_id, registry::internal::NewUuid());
        case_no = absl::StrFormat("C%03d-2026-%06d", 101 + c % 10, c + 1);
        office = absl::StrFormat("%03d", 101 + c % 10);
        officer = absl::StrFormat("officer%02d", c % 40);
        created = Stamp(opened, static_cast<int>(c % 3600));
        // registered, then perhaps admitted, then perhaps decided.
        std::vector<std::pair<std::string, int>> steps = {{"registered", opened}};
        if (percent(rng) < 70 && opened + 60 < span) {
          steps.push_back({"admitted", opened + 5 + percent(rng) % 55});
          const int p = percent(rng);
          if (p < 55 && steps.back().second + 200 < span) {
            const int at = steps.back().second + 30 + percent(rng) * 170 / 100;
            steps.push_back({p < 22 ? "recognized" : p < 50 ? "rejected" : "closed", at});
          }
        }
        status = steps.back().first;
        add_case.execute(true);
        seq = 0;
        from.clear();
        for (const auto& [s, d] : steps) {
          PUENTE_ASSIGN_OR_RETURN(hid, registry::internal::NewUuid());
          ++seq;
          to = s;
          effective = absl::FormatCivilTime(Day(d));
          from_ind = from.empty() ? soci::i_null : soci::i_ok;
          add_step.execute(true);
          from = s;
        }
        const long members = c + 1 == cases ? people - person : per_case + (c % 3 == 0 ? 1 : 0);
        for (long m = 0; m < members && person < people; ++m, ++person) {
          PUENTE_ASSIGN_OR_RETURN(aid, registry::internal::NewUuid());
          bidx = absl::StrFormat("%064d", person);  // as long as a hex HMAC
          relationship = m == 0 ? "principal" : m == 1 ? "spouse" : "child";
          sex = percent(rng) < 1 ? "X" : (person % 2 ? "F" : "M");
          nationality = kNationalities[pick(rng)];
          const int year =
              m >= 2 ? 2008 + static_cast<int>(person % 18) : 1940 + static_cast<int>(person % 66);
          const std::string dob =
              absl::StrFormat("%04d-%02d-%02d", year, 1 + person % 12, 1 + person % 28);
          PUENTE_ASSIGN_OR_RETURN(
              dob_enc, reg.keys().Seal(dob, registry::internal::Ctx("date_of_birth", aid)));
          add_person.execute(true);
          if (m == 0) {
            PUENTE_ASSIGN_OR_RETURN(eid, registry::internal::NewUuid());
            estatus = percent(rng) < 3 ? "held" : "cleared";
            add_enrollment.execute(true);
            serial = ++card_serial;
            issued = Stamp(opened + 1);
            expires = Stamp(opened + 1 + 365);
            const bool revoke = percent(rng) < 4;
            cstatus = revoke ? "revoked" : "active";
            revoked = Stamp(std::min(span - 1, opened + 30));
            revoked_ind = revoke ? soci::i_ok : soci::i_null;
            add_card.execute(true);
          }
        }
      }
      return absl::OkStatus();
    }));
    if ((c0 / batch_cases) % 10 == 9) {
      std::fprintf(stderr, "  %ld cases, %ld people (%.0f people/s)\n", c0 + batch_cases, person,
                   person / Seconds(start));
    }
  }
  // Births: 20,000, sealed records, half at jornadas of 10 kits.
  PUENTE_RETURN_IF_ERROR(registry::InTransaction(reg.database(), [&]() -> absl::Status {
    registry::internal::Tx tx(reg.database(), reg.keys(), Clock::Real(), "bench");
    for (int j = 0; j < 50; ++j) {
      const std::string id = absl::StrFormat("jornada-%02d", j);
      const std::string kit = absl::StrFormat("kit-%d", j % 10);
      const std::string loc = absl::StrFormat("PA-5-DAR-%02d", j % 7);
      const std::string starts = absl::FormatCivilTime(Day(j * 6));
      tx.sql() << "INSERT INTO jornadas (id, kit_id, location_code, starts_on, ends_on, "
                  "officers, status, created_at, created_by) VALUES (:i, :k, :l, :s, :s2, "
                  "'bench', 'closed', :c, 'bench')",
          soci::use(id), soci::use(kit), soci::use(loc), soci::use(starts), soci::use(starts),
          soci::use(starts);
    }
    std::string id, bidx, record_enc, office, created, jornada;
    soci::indicator jornada_ind = soci::i_null, serial_ind = soci::i_null;
    long long serial = 0;
    soci::statement add =
        (tx.sql().prepare << "INSERT INTO births (id, birth_no_bidx, birth_no_enc, record_enc, "
                             "office_code, jornada_id, attestation_serial, created_at, "
                             "created_by) VALUES (:i, :b, 'x', :r, :o, :j, :s, :c, 'bench')",
         soci::use(id), soci::use(bidx), soci::use(record_enc), soci::use(office),
         soci::use(jornada, jornada_ind), soci::use(serial, serial_ind), soci::use(created));
    for (int b = 0; b < 20000; ++b) {
      PUENTE_ASSIGN_OR_RETURN(id, registry::internal::NewUuid());
      const int j = b % 100 < 50 ? b % 50 : -1;
      const int at = j >= 0 ? j * 6 : day(rng);
      registry::NewBirth rec;
      rec.given_names = "Niña";
      rec.born_on = absl::FormatCivilTime(Day(std::max(0, at - percent(rng) % 20)));
      rec.place_code = j >= 0 ? absl::StrFormat("PA-5-DAR-%02d", j % 7) : "PA-8-PAN-01";
      registry::BirthParent mother;
      mother.full_name = "Madre";
      mother.nationality = kNationalities[pick(rng)];
      rec.parents = {mother};
      rec.office_code = office = j >= 0 ? absl::StrFormat("%03d", 901 + j % 10) : "101";
      PUENTE_ASSIGN_OR_RETURN(
          record_enc, reg.keys().Seal(registry::BirthRecordToJson(rec), "births.record/" + id));
      bidx = absl::StrFormat("bench-birth-%06d", b);
      jornada = j >= 0 ? absl::StrFormat("jornada-%02d", j) : "";
      jornada_ind = j >= 0 ? soci::i_ok : soci::i_null;
      serial = b;
      serial_ind = b % 3 ? soci::i_ok : soci::i_null;
      created = Stamp(at, b % 3600);
      add.execute(true);
    }
    return absl::OkStatus();
  }));
  std::printf("filled %ld people in %ld cases, 20000 births in %.1f s\n", people, cases,
              Seconds(start));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  long people = 1000000, cases = 300000;
  std::string db, reuse;
  bool fill_flag = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--people") {
      people = std::stol(value);
    } else if (flag == "--cases") {
      cases = std::stol(value);
    } else if (flag == "--db") {
      db = value;
    } else if (flag == "--reuse") {
      reuse = value;
    } else if (flag == "--fill") {
      fill_flag = value != "0";
    } else {
      std::fprintf(stderr,
                   "usage: %s [--people N] [--cases N] [--db URL [--fill 0]] [--reuse PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  bool fill = fill_flag;
  std::string dir;
  if (db.empty() && !reuse.empty()) {
    fill = !std::filesystem::exists(reuse);
    db = "sqlite:" + reuse;
  } else if (db.empty()) {
    dir = (std::filesystem::temp_directory_path() / "puente-stats-bench-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) return 1;
    db = "sqlite:" + dir + "/stats.db";
  }
  // A fixed key for --reuse: the bench's registry holds no real data.
  const crypto::SecretKey master = *crypto::SecretKey::FromBytes(
      std::string(32, '\x18'), crypto::InsecureSecretKeyAccess::Get());
  {
    auto raw = registry::Database::Open(db);
    if (!raw.ok() || !registry::Migrate(**raw).ok()) {
      std::fprintf(stderr, "cannot open or migrate %s\n", db.c_str());
      return 1;
    }
  }
  FixedClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 30, 17, 0, 0), absl::UTCTimeZone()));
  auto reg = registry::Registry::Open(db, master, clock);
  if (!reg.ok()) {
    std::fprintf(stderr, "%s\n", std::string(reg.status().message()).c_str());
    return 1;
  }
  if (fill) {
    absl::Status s = Fill(**reg, people, cases);
    if (!s.ok()) {
      std::fprintf(stderr, "fill: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::printf("peak RSS after filling: %ld MB\n", MaxRssMb());
  for (const std::string offices : {std::string(""), std::string("101")}) {
    registry::stats::ReleaseQuery q;
    q.from = "2026-01-01";
    q.to = "2026-11-30";
    if (!offices.empty()) q.offices = {offices};
    const auto start = Steady::now();
    const double cpu_start = CpuSeconds();
    auto r = registry::stats::ComputeRelease(**reg, "bench", q);
    const double s = Seconds(start), cpu = CpuSeconds() - cpu_start;
    if (!r.ok()) {
      std::fprintf(stderr, "release: %s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    long cells = 0, hidden = 0;
    for (const auto& t : r->tables) {
      for (const auto& v : t.values.cells) {
        ++cells;
        hidden += v.shown() ? 0 : 1;
      }
    }
    const auto json_start = Steady::now();
    const size_t json_bytes = registry::stats::ReleaseToJson(*r).dump().size();
    std::printf(
        "release %s: %.2f s (CPU %.2f s; %zu tables, %ld cells, %ld hidden; JSON %zu bytes in "
        "%.3f s); peak RSS %ld MB\n",
        offices.empty() ? "national" : ("office " + offices).c_str(), s, cpu, r->tables.size(),
        cells, hidden, json_bytes, Seconds(json_start), MaxRssMb());
  }
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}
