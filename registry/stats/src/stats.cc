#include "puente/registry/stats.h"

#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "office/internal/registry_access.h"
#include "puente/common/clock.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/births.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/session.h"
#include "storage/internal/tx.h"

namespace puente::registry::stats {
namespace {

using nlohmann::json;

// Rows are fetched this many at a time: memory does not grow with the registry.
constexpr size_t kBatch = 2000;

const std::vector<std::string> kSexes = {"F", "M", "X"};
const std::vector<std::string> kAgeBands = {"0-4", "5-11", "12-17", "18-59", "60+", "unknown"};
const std::vector<std::string> kStatuses = {"registered", "admitted", "recognized",
                                            "rejected",   "appeal",   "closed"};
const std::vector<std::string> kPending = {"registered", "admitted", "appeal"};
const std::vector<std::string> kDecisions = {"recognized", "rejected", "closed"};
const std::vector<std::string> kWaiting = {"0-30", "31-90", "91-180", "over 180"};
const std::vector<std::string> kCardTypes = {"asylum-seeker", "refugee", "birth-attestation"};
const std::vector<std::string> kCardEvents = {"issued", "replaced", "renewed", "revoked"};
const std::vector<std::string> kExpiry = {"0-30", "31-60", "61-90"};
const std::vector<std::string> kEnrollment = {"held", "cleared", "duplicate"};
const std::vector<std::string> kAdjudication = {"same_person", "different"};
// Nationality codes of the stateless (XXA) and undetermined (XXX): the
// sensitive group of statelessness risk.
const std::set<std::string> kStatelessCodes = {"XXA", "XXX", "unknown"};

int IndexOf(const std::vector<std::string>& v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() ? -1 : static_cast<int>(it - v.begin());
}

// Counts by row label (sorted, or in a fixed order) and column.
class Tally {
 public:
  Tally(std::vector<std::string> cols, std::vector<std::string> fixed_rows = {})
      : cols_(std::move(cols)), fixed_(!fixed_rows.empty()) {
    for (const std::string& r : fixed_rows) Row(r);
  }
  void Add(const std::string& row, int col, int64_t n = 1) {
    if (col < 0) return;
    Row(row)[col] += n;
  }
  // The table named `name`; rows sorted unless fixed.
  Table Finish(std::string name, std::string title, std::string unit, std::string row_dim,
               std::string col_dim, CountTable& counts) const {
    Table t;
    t.name = std::move(name);
    t.title = std::move(title);
    t.unit = std::move(unit);
    t.row_dimension = std::move(row_dim);
    t.col_dimension = std::move(col_dim);
    counts = CountTable{};
    std::vector<std::string> rows = order_;
    if (!fixed_) std::sort(rows.begin(), rows.end());
    counts.rows = static_cast<int>(rows.size());
    counts.cols = static_cast<int>(cols_.size());
    counts.cells.clear();
    for (const std::string& r : rows) {
      const auto& v = counts_.at(r);
      counts.cells.insert(counts.cells.end(), v.begin(), v.end());
    }
    t.row_labels = rows;
    if (cols_.size() > 1) t.col_labels = cols_;
    return t;
  }

 private:
  std::vector<int64_t>& Row(const std::string& r) {
    if (auto it = counts_.find(r); it != counts_.end()) return it->second;
    order_.push_back(r);
    return counts_.emplace(r, std::vector<int64_t>(cols_.size(), 0)).first->second;
  }
  std::vector<std::string> cols_;
  bool fixed_;
  std::map<std::string, std::vector<int64_t>> counts_;
  std::vector<std::string> order_;
};

// Durations by group as histograms (memory: distinct values, not people).
class Durations {
 public:
  explicit Durations(std::vector<std::string> groups) : groups_(std::move(groups)) {
    hist_.resize(groups_.size());
  }
  void Add(int group, int64_t value) {
    if (group >= 0 && value >= 0) ++hist_[group][value];
  }
  DurationTable Finish(std::string name, std::string title, std::string unit, std::string dim,
                       int threshold, double scale) const {
    DurationTable t{std::move(name), std::move(title), std::move(unit), std::move(dim), {}};
    for (size_t g = 0; g < groups_.size(); ++g) {
      Duration d;
      d.label = groups_[g];
      int64_t n = 0;
      for (const auto& [v, c] : hist_[g]) n += c;
      if (n >= threshold && n > 0) {
        d.shown = true;
        d.median = Rank(hist_[g], n, 0.5) * scale;
        d.p90 = Rank(hist_[g], n, 0.9) * scale;
      }
      t.rows.push_back(d);
    }
    return t;
  }

 private:
  // Nearest rank: the smallest value with at least ceil(p * n) values at or below it.
  static int64_t Rank(const std::map<int64_t, int64_t>& h, int64_t n, double p) {
    const auto want = static_cast<int64_t>(std::ceil(p * static_cast<double>(n)));
    int64_t seen = 0;
    for (const auto& [v, c] : h) {
      seen += c;
      if (seen >= want) return v;
    }
    return h.empty() ? 0 : h.rbegin()->first;
  }
  std::vector<std::string> groups_;
  std::vector<std::map<int64_t, int64_t>> hist_;
};

// A stored timestamp ("YYYY-MM-DDTHH:MM:SS[.ffffff]Z", what FormatTimestamp
// writes) as a time, read by hand: a release reads millions of them. Other
// RFC 3339 forms go through ParseTimestamp. False if it is not one.
bool OfficeTime(const std::string& ts, absl::Time* t) {
  auto digits = [&](size_t at, size_t n, int* out) {
    int v = 0;
    for (size_t k = at; k < at + n; ++k) {
      if (ts[k] < '0' || ts[k] > '9') return false;
      v = v * 10 + (ts[k] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (ts.size() >= 20 && ts[4] == '-' && ts[7] == '-' && ts[10] == 'T' && ts[13] == ':' &&
      ts[16] == ':' && ts.back() == 'Z' && (ts.size() == 20 || ts[19] == '.') && digits(0, 4, &y) &&
      digits(5, 2, &mo) && digits(8, 2, &d) && digits(11, 2, &h) && digits(14, 2, &mi) &&
      digits(17, 2, &se)) {
    int64_t micros = 0;
    int places = 0;
    for (size_t k = 20; k + 1 < ts.size(); ++k) {
      if (ts[k] < '0' || ts[k] > '9') return false;
      if (places < 6) {
        micros = micros * 10 + (ts[k] - '0');
        ++places;
      }
    }
    for (; places < 6; ++places) micros *= 10;
    *t = absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, se), absl::UTCTimeZone()) +
         absl::Microseconds(micros);
    return true;
  }
  auto parsed = ParseTimestamp(ts);
  if (!parsed.ok()) return false;
  *t = *parsed;
  return true;
}

absl::CivilDay OfficeDay(absl::Time t) { return absl::ToCivilDay(t, internal::OfficeZone()); }

// A real calendar day "YYYY-MM-DD" (2026-02-30 is not one: abseil would
// normalise it to March).
bool ParseDay(const std::string& s, absl::CivilDay* d) {
  return s.size() == 10 && absl::ParseCivilTime(s, d) && absl::FormatCivilTime(*d) == s;
}

std::string Month(const absl::CivilDay& d) { return absl::FormatCivilTime(absl::CivilMonth(d)); }

// The UTC timestamp at which office day `d` begins.
std::string DayStart(const absl::CivilDay& d) {
  return FormatTimestamp(absl::FromCivil(d, internal::OfficeZone()));
}

std::string AgeBand(const DateOfBirth& dob, const absl::CivilDay& on) {
  const int month = dob.precision == DatePrecision::kYearOnly ? 7 : dob.month;
  const int day = dob.precision == DatePrecision::kYearOnly ? 1 : dob.day;
  if (dob.year <= 0 || month <= 0) return "unknown";
  int age = static_cast<int>(on.year()) - dob.year;
  if (on.month() < month || (on.month() == month && on.day() < day)) --age;
  if (age < 0) return "unknown";
  if (age <= 4) return "0-4";
  if (age <= 11) return "5-11";
  if (age <= 17) return "12-17";
  if (age <= 59) return "18-59";
  return "60+";
}

// Everything computed, before protection: the true counts stay in here.
struct Draft {
  std::vector<Table> tables;
  std::vector<CountTable> counts;
  std::vector<DurationTable> durations;
  // Takes `c` (filled by the Tally::Finish that made `t`, which runs before
  // this call: `c` is a reference, not a value built in unspecified order).
  void Add(Table t, CountTable& c, std::string margin_key = "", std::string total_key = "") {
    c.margin_key = std::move(margin_key);
    c.total_key = std::move(total_key);
    tables.push_back(std::move(t));
    counts.push_back(c);
  }
};

// Binds each of `columns` (vectors, in the query's column order) as into().
template <typename... V>
void Exchange(soci::statement& q, V&... columns) {
  (q.exchange(soci::into(columns)), ...);
}

// The rows of one query, kBatch at a time, into the vectors `bind` exchanges
// (the caller sizes them back to kBatch after each batch). On PostgreSQL
// through a server-side cursor: libpq holds a whole result in memory, so a
// plain query of a million rows would. The query has no bound parameters.
class Rows {
 public:
  Rows(soci::session& sql, bool cursor, const std::string& query,
       const std::function<void(soci::statement&)>& bind)
      : sql_(sql), st_(sql), cursor_(cursor) {
    bind(st_);
    st_.alloc();
    if (cursor_) {
      name_ = puente::StrCat("puente_stats_", ++counter_);
      sql_ << "DECLARE " << name_ << " NO SCROLL CURSOR FOR " << query;
      // FETCH cannot be a prepared statement: sent as text each time.
      st_.prepare(puente::StrCat("FETCH ", kBatch, " FROM ", name_),
                  soci::details::st_one_time_query);
      st_.define_and_bind();
    } else {
      st_.prepare(query);
      st_.define_and_bind();
      st_.execute(false);
    }
  }
  ~Rows() {
    if (!cursor_) return;
    try {
      sql_ << "CLOSE " << name_;
    } catch (const soci::soci_error&) {
      // The transaction failed; it ends the cursor.
    }
  }
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  // The next batch; false when no row is left.
  bool Next() { return cursor_ ? st_.execute(true) : st_.fetch(); }

 private:
  static inline std::atomic<int> counter_{0};
  soci::session& sql_;
  soci::statement st_;
  bool cursor_;
  std::string name_;
};

class Computation {
 public:
  Computation(internal::Tx& tx, Dialect dialect, const ReleaseQuery& q, absl::CivilDay from,
              absl::CivilDay to, absl::Time now)
      : tx_(tx), q_(q), now_(now) {
    // A release reads most of each table: SQLite scans it in order rather
    // than follow an index row by row (a random read per row), which at a
    // million people took twice as long. PostgreSQL's planner has the
    // statistics to choose for itself.
    if (dialect == Dialect::kSqlite) scan_ = " NOT INDEXED";
    cursor_ = dialect == Dialect::kPostgresql;
    from_ts_ = DayStart(from);
    to_ts_ = DayStart(to + 1);
    from_day_ = absl::FormatCivilTime(from);
    to_day_ = absl::FormatCivilTime(to);
    for (const std::string& o : q.offices) {
      offices_ += (offices_.empty() ? "'" : ",'") + o + "'";
    }
  }

  // `query` with the period's bounds written in for :f and :t (timestamps
  // this code formatted: digits and punctuation only), so that it can run
  // in a cursor without bound parameters.
  std::string Sql(std::string query) const {
    query = std::regex_replace(query, std::regex(":f\\b"), "'" + from_ts_ + "'");
    return std::regex_replace(query, std::regex(":t\\b"), "'" + to_ts_ + "'");
  }

  // " AND <column> IN ('101',...)" for an office release; codes are checked
  // to be 3 digits before they get here.
  std::string OfficeClause(const std::string& column) const {
    return offices_.empty() ? "" : puente::StrCat(" AND ", column, " IN (", offices_, ")");
  }
  // The join to the holder's applicant row, which only an office release
  // needs (a national one reads the smaller tables alone).
  std::string HolderJoin(const std::string& applicant_id) const {
    return offices_.empty() ? "" : puente::StrCat(" JOIN applicants a ON a.id = ", applicant_id);
  }

  // Whether this registry holds reference people pulled from the centre (a
  // field kit's), who are not counted; elsewhere the queries skip them.
  absl::Status FindReferencePeople() {
    int n = 0;
    tx_.sql() << "SELECT count(*) FROM (SELECT 1 FROM regional_refs LIMIT 1) x", soci::into(n);
    refs_ = n > 0;
    return absl::OkStatus();
  }
  std::string WithoutRefs(const std::string& applicant_id) const {
    return refs_ ? puente::StrCat(" LEFT JOIN regional_refs r ON r.applicant_id = ", applicant_id,
                                  " WHERE r.applicant_id IS NULL")
                 : " WHERE 1 = 1";
  }

  absl::Status Registration(Draft& d) {
    Tally nat(kSexes), age(kSexes, kAgeBands), office(kSexes), rel(kSexes);
    const std::string people = puente::StrCat(" FROM applicants a", scan_, WithoutRefs("a.id"),
                                              " AND a.created_at >= :f AND a.created_at < :t",
                                              OfficeClause("a.office_code"));
    {
      // The plain columns, counted by the database: a few thousand groups
      // come back, not a million rows.
      std::vector<std::string> nationality(kBatch), sex(kBatch), office_code(kBatch),
          relationship(kBatch);
      std::vector<long long> n(kBatch);
      Rows st(
          tx_.sql(), cursor_,
          Sql(puente::StrCat("SELECT a.nationality, a.sex, a.office_code, a.relationship, "
                             "count(*)",
                             people,
                             " GROUP BY a.nationality, a.sex, a.office_code, a.relationship")),
          [&](soci::statement& q) { Exchange(q, nationality, sex, office_code, relationship, n); });
      while (st.Next()) {
        for (size_t i = 0; i < n.size(); ++i) {
          const int s = IndexOf(kSexes, sex[i]);
          nat.Add(nationality[i], s, n[i]);
          office.Add(office_code[i], s, n[i]);
          rel.Add(relationship[i], s, n[i]);
        }
        for (auto* v : {&nationality, &sex, &office_code, &relationship}) v->resize(kBatch);
        n.resize(kBatch);
      }
    }
    // Age bands need each date of birth, which is sealed.
    std::vector<std::string> id(kBatch), sex(kBatch), dob_enc(kBatch), precision(kBatch),
        created(kBatch);
    Rows st(tx_.sql(), cursor_,
            Sql(puente::StrCat("SELECT a.id, a.sex, a.date_of_birth_enc, a.dob_precision, "
                               "a.created_at",
                               people)),
            [&](soci::statement& q) { Exchange(q, id, sex, dob_enc, precision, created); });
    // Dates of birth are opened on a second thread, a batch behind the
    // fetch: the one CPU-heavy step overlaps the database's.
    const KeyRing& keys = tx_.keys();
    std::vector<std::string> open_id, open_dob, open_precision, open_created;
    std::vector<int> open_sex;
    std::future<absl::StatusOr<std::vector<const std::string*>>> opening;
    auto bands = [&keys, &open_id, &open_dob, &open_precision,
                  &open_created]() -> absl::StatusOr<std::vector<const std::string*>> {
      std::vector<const std::string*> out(open_id.size());
      for (size_t i = 0; i < open_id.size(); ++i) {
        PUENTE_ASSIGN_OR_RETURN(std::string text,
                                keys.Open(open_dob[i], internal::Ctx("date_of_birth", open_id[i])));
        auto dob = internal::DecodeDob(text, open_precision[i]);
        absl::Time at;
        out[i] = &kAgeBands.back();  // unknown
        if (dob.ok() && OfficeTime(open_created[i], &at)) {
          out[i] = &kAgeBands[IndexOf(kAgeBands, AgeBand(*dob, OfficeDay(at)))];
        }
      }
      return out;
    };
    auto collect = [&]() -> absl::Status {
      if (!opening.valid()) return absl::OkStatus();
      PUENTE_ASSIGN_OR_RETURN(std::vector<const std::string*> band, opening.get());
      for (size_t i = 0; i < band.size(); ++i) age.Add(*band[i], open_sex[i]);
      return absl::OkStatus();
    };
    while (st.Next()) {
      std::vector<int> sexes(id.size());
      for (size_t i = 0; i < id.size(); ++i) sexes[i] = IndexOf(kSexes, sex[i]);
      PUENTE_RETURN_IF_ERROR(collect());
      open_id.swap(id);
      open_dob.swap(dob_enc);
      open_precision.swap(precision);
      open_created.swap(created);
      open_sex = std::move(sexes);
      opening = std::async(std::launch::async, bands);
      for (auto* v : {&id, &sex, &dob_enc, &precision, &created}) v->resize(kBatch);
    }
    PUENTE_RETURN_IF_ERROR(collect());
    const std::string key = "registration.people_by_sex";
    CountTable c;
    Table t =
        nat.Finish("registration.nationality_by_sex", "People registered by nationality and sex",
                   "people", "nationality", "sex", c);
    for (const std::string& r : t.row_labels) c.sensitive_rows.push_back(kStatelessCodes.count(r));
    d.Add(std::move(t), c, key);
    t = age.Finish("registration.age_by_sex", "People registered by age band and sex", "people",
                   "age_band", "sex", c);
    d.Add(std::move(t), c, key);
    t = office.Finish("registration.office_by_sex", "People registered by office and sex", "people",
                      "office", "sex", c);
    d.Add(std::move(t), c, key);
    t = rel.Finish("registration.relationship_by_sex",
                   "People registered by relationship in the case and sex", "people",
                   "relationship", "sex", c);
    d.Add(std::move(t), c, key);
    return absl::OkStatus();
  }

  absl::Status Cases(Draft& d) {
    Tally status({"cases"}, kStatuses), office({"cases"}), officer({"cases"});
    Tally backlog(kPending, kWaiting);
    {
      std::vector<std::string> s(kBatch), o(kBatch), by(kBatch), created(kBatch);
      Rows st(tx_.sql(), cursor_,
              Sql(puente::StrCat("SELECT c.status, c.office_code, c.created_by, c.created_at "
                                 "FROM cases c",
                                 scan_, " WHERE 1 = 1", OfficeClause("c.office_code"))),
              [&](soci::statement& q) { Exchange(q, s, o, by, created); });
      const absl::CivilDay today = OfficeDay(now_);
      while (st.Next()) {
        for (size_t i = 0; i < s.size(); ++i) {
          if (created[i] >= from_ts_ && created[i] < to_ts_) {
            status.Add(s[i], 0);
            office.Add(o[i], 0);
            officer.Add(by[i], 0);
          }
          const int pending = IndexOf(kPending, s[i]);
          absl::Time at;
          if (pending < 0 || !OfficeTime(created[i], &at)) continue;
          const int64_t days = today - OfficeDay(at);
          const char* band = days <= 30    ? "0-30"
                             : days <= 90  ? "31-90"
                             : days <= 180 ? "91-180"
                                           : "over 180";
          backlog.Add(band, pending);
        }
        for (auto* v : {&s, &o, &by, &created}) v->resize(kBatch);
      }
    }
    CountTable c;
    d.Add(status.Finish("cases.by_status", "Cases opened in the period by status today", "cases",
                        "status", "", c),
          c, "", "cases.opened");
    d.Add(office.Finish("cases.by_office", "Cases opened by office", "cases", "office", "", c), c,
          "", "cases.opened");
    d.Add(officer.Finish("cases.by_officer", "Cases opened by the registering officer", "cases",
                         "officer", "", c),
          c, "", "cases.opened");
    d.Add(backlog.Finish("cases.backlog_by_age",
                         "Pending cases today by days since registration and status", "cases",
                         "days_waiting", "status", c),
          c);

    // The status history, case by case: decisions, time in each status,
    // registration to each decision.
    Tally decisions(kDecisions);
    Durations in_status(kStatuses), to_decision(kDecisions);
    std::vector<std::string> case_id(kBatch), to(kBatch), effective(kBatch);
    std::string current;
    std::vector<std::pair<std::string, absl::CivilDay>> steps;  // status, effective
    auto flush = [&] {
      if (steps.empty()) return;
      const absl::CivilDay registered = steps.front().second;
      std::set<std::string> decided;
      for (size_t k = 0; k < steps.size(); ++k) {
        const auto& [status_name, day] = steps[k];
        const std::string iso = absl::FormatCivilTime(day);
        const bool in_period = iso >= from_day_ && iso <= to_day_;
        if (k + 1 < steps.size()) {
          const std::string next = absl::FormatCivilTime(steps[k + 1].second);
          if (next >= from_day_ && next <= to_day_) {
            in_status.Add(IndexOf(kStatuses, status_name), steps[k + 1].second - day);
          }
        }
        const int dec = IndexOf(kDecisions, status_name);
        const bool first = dec >= 0 && decided.insert(status_name).second;
        if (dec >= 0 && in_period) {
          decisions.Add(Month(day), dec);
          if (first) to_decision.Add(dec, day - registered);
        }
      }
      steps.clear();
    };
    Rows st(tx_.sql(), cursor_,
            Sql(puente::StrCat("SELECT h.case_id, h.to_status, h.effective FROM "
                               "case_status_history h",
                               scan_,
                               (offices_.empty() ? " WHERE 1 = 1"
                                                 : " JOIN cases c ON c.id = h.case_id WHERE 1 = 1"),
                               OfficeClause("c.office_code"), " ORDER BY h.case_id, h.seq")),
            [&](soci::statement& q) { Exchange(q, case_id, to, effective); });
    while (st.Next()) {
      for (size_t i = 0; i < case_id.size(); ++i) {
        if (case_id[i] != current) {
          flush();
          current = case_id[i];
        }
        absl::CivilDay day;
        if (ParseDay(effective[i], &day)) steps.emplace_back(to[i], day);
      }
      for (auto* v : {&case_id, &to, &effective}) v->resize(kBatch);
    }
    flush();
    d.Add(decisions.Finish("cases.decisions_by_month", "Decisions by month and outcome",
                           "decisions", "month", "outcome", c),
          c);
    d.durations.push_back(in_status.Finish(
        "cases.time_in_status", "Time spent in each status (stays that ended in the period)",
        "days", "status", q_.threshold, 1.0));
    d.durations.push_back(to_decision.Finish(
        "cases.time_to_decision", "Registration to each decision (decisions in the period)", "days",
        "outcome", q_.threshold, 1.0));
    return absl::OkStatus();
  }

  absl::Status Dedup(Draft& d) {
    Tally enrolled({"enrollments"}, kEnrollment);
    {
      std::vector<std::string> s(kBatch);
      Rows st(tx_.sql(), cursor_,
              Sql(puente::StrCat("SELECT e.status FROM enrollments e", HolderJoin("e.applicant_id"),
                                 WithoutRefs("e.applicant_id"),
                                 " AND e.created_at >= :f AND e.created_at < :t",
                                 OfficeClause("a.office_code"))),
              [&](soci::statement& q) { Exchange(q, s); });
      while (st.Next()) {
        for (const std::string& v : s) enrolled.Add(v, 0);
        s.resize(kBatch);
      }
    }
    Tally decisions(kAdjudication);
    Durations waited({"all decisions"});
    {
      std::vector<std::string> decision(kBatch), decided(kBatch), enrolled_at(kBatch);
      Rows st(tx_.sql(), cursor_,
              Sql(puente::StrCat("SELECT d.decision, d.decided_at, e.created_at FROM "
                                 "duplicate_candidates d JOIN enrollments e ON e.id = "
                                 "d.enrollment_id",
                                 HolderJoin("e.applicant_id"),
                                 " WHERE d.tier = 'hold' AND d.decision IS NOT NULL AND "
                                 "d.decided_at >= :f AND d.decided_at < :t",
                                 OfficeClause("a.office_code"))),
              [&](soci::statement& q) { Exchange(q, decision, decided, enrolled_at); });
      while (st.Next()) {
        for (size_t i = 0; i < decision.size(); ++i) {
          absl::Time at, since;
          if (!OfficeTime(decided[i], &at)) continue;
          decisions.Add(Month(OfficeDay(at)), IndexOf(kAdjudication, decision[i]));
          if (OfficeTime(enrolled_at[i], &since)) {
            waited.Add(0, static_cast<int64_t>(absl::ToDoubleHours(at - since)));
          }
        }
        for (auto* v : {&decision, &decided, &enrolled_at}) v->resize(kBatch);
      }
    }
    CountTable c;
    d.Add(enrolled.Finish("dedup.enrollments_by_status",
                          "Face enrollments in the period by where deduplication left them",
                          "enrollments", "status", "", c),
          c);
    d.Add(decisions.Finish("dedup.decisions_by_month",
                           "Supervisors' decisions on held candidates by month", "decisions",
                           "month", "decision", c),
          c);
    d.durations.push_back(waited.Finish("dedup.time_to_decision",
                                        "Enrollment to the decision on a held candidate", "days",
                                        "decisions", q_.threshold, 1.0 / 24.0));
    return absl::OkStatus();
  }

  absl::Status Cards(Draft& d) {
    Tally events(kCardEvents, kCardTypes), expiring(kCardTypes, kExpiry);
    const std::string now = FormatTimestamp(now_);
    const std::string until = FormatTimestamp(now_ + absl::Hours(24 * 90));
    // One pass over the cards: events in the period and expiry from today.
    std::vector<std::string> type(kBatch), status(kBatch), issued(kBatch), expires(kBatch),
        revoked(kBatch), old_reason(kBatch);
    std::vector<int> replaces(kBatch), replaced(kBatch);
    Rows st(tx_.sql(), cursor_,
            Sql(puente::StrCat(
                "SELECT c.card_type, c.status, c.issued_at, c.expires_at, "
                "COALESCE(c.revoked_at, ''), CASE WHEN c.replaces IS NULL THEN 0 ELSE 1 END, "
                "COALESCE(o.revoke_reason, ''), CASE WHEN c.serial IN (SELECT replaces FROM "
                "cards WHERE replaces IS NOT NULL) THEN 1 ELSE 0 END FROM cards c",
                scan_, " LEFT JOIN cards o ON o.serial = c.replaces", HolderJoin("c.applicant_id"),
                " WHERE 1 = 1", OfficeClause("a.office_code"))),
            [&](soci::statement& q) {
              Exchange(q, type, status, issued, expires, revoked, replaces, old_reason, replaced);
            });
    while (st.Next()) {
      for (size_t i = 0; i < type.size(); ++i) {
        if (issued[i] >= from_ts_ && issued[i] < to_ts_) {
          const char* kind = replaces[i] == 0             ? "issued"
                             : old_reason[i] == "renewed" ? "renewed"
                                                          : "replaced";
          events.Add(type[i], IndexOf(kCardEvents, kind));
        }
        // A revocation not followed by a replacement.
        if (status[i] == "revoked" && replaced[i] == 0 && revoked[i] >= from_ts_ &&
            revoked[i] < to_ts_) {
          events.Add(type[i], IndexOf(kCardEvents, "revoked"));
        }
        absl::Time at;
        if (status[i] == "active" && expires[i] >= now && expires[i] < until &&
            OfficeTime(expires[i], &at)) {
          const double days = absl::ToDoubleHours(at - now_) / 24;
          const char* band = days <= 30 ? "0-30" : days <= 60 ? "31-60" : "61-90";
          expiring.Add(band, IndexOf(kCardTypes, type[i]));
        }
      }
      for (auto* v : {&type, &status, &issued, &expires, &revoked, &old_reason}) v->resize(kBatch);
      replaces.resize(kBatch);
      replaced.resize(kBatch);
    }
    CountTable c;
    d.Add(events.Finish("cards.events_by_type", "Cards issued, replaced, renewed and revoked",
                        "cards", "card_type", "event", c),
          c);
    d.Add(expiring.Finish("cards.expiring", "Active cards expiring in the next 30, 60, 90 days",
                          "cards", "days_to_expiry", "card_type", c),
          c);
    return absl::OkStatus();
  }

  absl::Status Births(Draft& d) {
    Tally month({"not attested", "attested"}), place({"births"}), jornada({"births"}),
        kit({"births"}), nationality({"births"}), risk({"births"}, {"not at risk", "at risk"});
    Durations late({"all births"});
    std::string number_bidx, parent_nationality;
    soci::indicator parent_ind = soci::i_null;
    soci::statement parent =
        (tx_.sql().prepare << "SELECT nationality FROM applicants WHERE reg_no_bidx = :b",
         soci::use(number_bidx), soci::into(parent_nationality, parent_ind));
    // The nationality of a parent: recorded, or the enrolled applicant's.
    auto nationality_of = [&](const BirthParent& p) -> absl::StatusOr<std::string> {
      if (!p.nationality.empty()) return p.nationality;
      if (p.registration_number.empty()) return std::string("unknown");
      PUENTE_ASSIGN_OR_RETURN(number_bidx, tx_.keys().BlindIndex("reg_no", p.registration_number));
      parent_ind = soci::i_null;
      const bool found = parent.execute(true);
      return found && parent_ind == soci::i_ok ? parent_nationality : std::string("unknown");
    };
    std::vector<std::string> id(kBatch), record(kBatch), created(kBatch), location(kBatch),
        starts(kBatch), kit_id(kBatch);
    std::vector<int> attested(kBatch);
    Rows st(tx_.sql(), cursor_,
            Sql(puente::StrCat(
                "SELECT b.id, b.record_enc, b.created_at, COALESCE(j.location_code, ''), "
                "COALESCE(j.starts_on, ''), COALESCE(j.kit_id, ''), CASE WHEN "
                "b.attestation_serial IS NULL THEN 0 ELSE 1 END FROM births b LEFT JOIN "
                "jornadas j ON j.id = b.jornada_id WHERE b.created_at >= :f AND b.created_at < :t",
                OfficeClause("b.office_code"))),
            [&](soci::statement& q) {
              Exchange(q, id, record, created, location, starts, kit_id, attested);
            });
    while (st.Next()) {
      std::vector<NewBirth> opened;
      for (size_t i = 0; i < id.size(); ++i) {
        PUENTE_ASSIGN_OR_RETURN(
            std::string text, tx_.keys().Open(record[i], puente::StrCat("births.record/", id[i])));
        PUENTE_ASSIGN_OR_RETURN(NewBirth b, BirthRecordFromJson(text));
        opened.push_back(std::move(b));
      }
      for (size_t i = 0; i < id.size(); ++i) {
        const NewBirth& b = opened[i];
        absl::Time at;
        if (!OfficeTime(created[i], &at)) continue;
        const absl::CivilDay registered = OfficeDay(at);
        month.Add(Month(registered), attested[i] != 0 ? 1 : 0);
        const std::vector<std::string> parts = puente::StrSplit(b.place_code, '-');
        place.Add(parts.size() >= 2 ? puente::StrCat(parts[0], "-", parts[1]) : "unknown", 0);
        jornada.Add(location[i].empty() ? "(none)" : puente::StrCat(location[i], " ", starts[i]),
                    0);
        kit.Add(kit_id[i].empty() ? "(office)" : kit_id[i], 0);
        // The mother's nationality, else the first parent's.
        size_t pick = 0;
        for (size_t k = 0; k < b.parents.size(); ++k) {
          if (b.parents[k].role == ParentRole::kMother) {
            pick = k;
            break;
          }
        }
        std::string first = "unknown";
        bool at_risk = true;
        for (size_t k = 0; k < b.parents.size(); ++k) {
          PUENTE_ASSIGN_OR_RETURN(std::string n, nationality_of(b.parents[k]));
          if (k == pick) first = n;
          if (!kStatelessCodes.count(n)) at_risk = false;
        }
        nationality.Add(first, 0);
        risk.Add(at_risk ? "at risk" : "not at risk", 0);
        absl::CivilDay born;
        if (ParseDay(b.born_on, &born)) late.Add(0, registered - born);
      }
      for (auto* v : {&id, &record, &created, &location, &starts, &kit_id}) v->resize(kBatch);
      attested.resize(kBatch);
    }
    CountTable c;
    d.Add(month.Finish("births.by_month", "Births registered by month and attestation", "births",
                       "month", "attestation", c),
          c, "", "births");
    d.Add(place.Finish("births.by_province", "Births by province of the place of birth", "births",
                       "province", "", c),
          c, "", "births");
    d.Add(jornada.Finish("births.by_jornada", "Births by registration day (jornada)", "births",
                         "jornada", "", c),
          c, "", "births");
    d.Add(kit.Finish("births.by_kit", "Births by field kit", "births", "kit", "", c), c, "",
          "births");
    Table t = nationality.Finish("births.by_parent_nationality",
                                 "Births by nationality of the mother (or first parent)", "births",
                                 "nationality", "", c);
    for (const std::string& r : t.row_labels) c.sensitive_rows.push_back(kStatelessCodes.count(r));
    d.Add(std::move(t), c, "", "births");
    t = risk.Finish("births.statelessness_risk",
                    "Births with no parent of a known nationality (statelessness risk)", "births",
                    "risk", "", c);
    c.sensitive_rows = {false, true};
    d.Add(std::move(t), c, "", "births");
    d.durations.push_back(late.Finish("births.time_to_registration", "Birth to registration",
                                      "days", "births", q_.threshold, 1.0));
    return absl::OkStatus();
  }

 private:
  internal::Tx& tx_;
  const ReleaseQuery& q_;
  absl::Time now_;
  std::string from_ts_, to_ts_, from_day_, to_day_, offices_;
  std::string scan_;     // " NOT INDEXED" on SQLite
  bool cursor_ = false;  // PostgreSQL: stream through server-side cursors
  bool refs_ = true;     // whether regional_refs has rows (on a field kit)
};

// A published value as JSON: {"value": 12, "mark": "published"}, or
// {"value": null, "mark": "primary"}.
json ValueJson(const PublishedValue& v) {
  return {{"value", v.shown() ? json(v.value) : json(nullptr)}, {"mark", ToString(v.mark)}};
}

// "Recognised / (recognised + rejected)" from two published totals.
Rate RateOf(std::string label, const PublishedValue& part, const PublishedValue& other) {
  Rate r;
  r.label = std::move(label);
  if (part.shown() && other.shown() && part.value + other.value > 0) {
    r.shown = true;
    r.value = static_cast<double>(part.value) / static_cast<double>(part.value + other.value);
  }
  return r;
}

const Table* Find(const std::vector<Table>& tables, const std::string& name) {
  for (const Table& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// A share per month and for the period from table `from` (rows: months):
// column `part` over columns `part` and `other`, from published values only.
void AddShare(const std::vector<Table>& tables, const std::string& from, RateTable share,
              size_t part, size_t other, std::vector<RateTable>& out) {
  const Table* t = Find(tables, from);
  if (t == nullptr) return;
  const size_t cols = static_cast<size_t>(t->values.cols);
  for (size_t i = 0; i < t->row_labels.size(); ++i) {
    const PublishedValue* row = &t->values.cells[i * cols];
    share.rows.push_back(RateOf(t->row_labels[i], row[part], row[other]));
  }
  share.rows.push_back(RateOf("period", t->values.col_totals[part], t->values.col_totals[other]));
  out.push_back(std::move(share));
}

std::vector<RateTable> Rates(const std::vector<Table>& tables) {
  std::vector<RateTable> out;
  AddShare(tables, "cases.decisions_by_month",
           {"cases.recognition_rate",
            "Recognition rate",
            "recognized / (recognized + rejected); closures (non-substantive) excluded",
            "month",
            {}},
           0, 1, out);
  AddShare(tables, "dedup.decisions_by_month",
           {"dedup.false_hold_rate",
            "False-hold rate",
            "different / (same_person + different) among decided held candidates",
            "month",
            {}},
           1, 0, out);
  return out;
}

std::string Family(const std::string& name) { return name.substr(0, name.find('.')); }

bool Wanted(const ReleaseQuery& q, const std::string& name) {
  return q.families.empty() ||
         std::find(q.families.begin(), q.families.end(), Family(name)) != q.families.end();
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvValue(const PublishedValue& v) {
  return v.shown() ? std::to_string(v.value) : std::string();
}

std::string Number(double v) {
  std::string s = std::to_string(std::round(v * 100) / 100);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// InvalidArgument unless every code is 3 digits (they are written into SQL).
absl::Status CheckOffices(const std::vector<std::string>& offices) {
  for (const std::string& o : offices) {
    if (o.size() != 3 ||
        !std::all_of(o.begin(), o.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return absl::InvalidArgumentError(
          puente::StrCat("offices: ", o, " is not a 3-digit office code"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& Families() {
  static const std::vector<std::string> kFamilies = {"registration", "cases", "dedup", "cards",
                                                     "births"};
  return kFamilies;
}

absl::StatusOr<ReleaseQuery> ParseReleaseQuery(const std::string& from, const std::string& to,
                                               const std::string& offices,
                                               const std::string& threshold,
                                               const std::string& method,
                                               const std::string& families) {
  ReleaseQuery q;
  q.from = from;
  q.to = to;
  if (!offices.empty()) q.offices = puente::StrSplit(offices, ',');
  if (!threshold.empty() && !absl::SimpleAtoi(threshold, &q.threshold)) {
    return absl::InvalidArgumentError("threshold: not a number");
  }
  if (method == "round5") {
    q.method = Method::kRound5;
  } else if (!method.empty() && method != "suppress") {
    return absl::InvalidArgumentError("method: suppress or round5");
  }
  if (!families.empty()) q.families = puente::StrSplit(families, ',');
  return q;
}

absl::StatusOr<Release> ComputeRelease(Registry& registry, const std::string& actor,
                                       const ReleaseQuery& q) {
  absl::CivilDay from, to;
  if (!ParseDay(q.from, &from)) {
    return absl::InvalidArgumentError(
        puente::StrCat("from: ", q.from, " is not a date (YYYY-MM-DD)"));
  }
  if (!ParseDay(q.to, &to)) {
    return absl::InvalidArgumentError(puente::StrCat("to: ", q.to, " is not a date (YYYY-MM-DD)"));
  }
  if (to < from) return absl::InvalidArgumentError("to: before from");
  if (q.threshold < 1 || q.threshold > 1000) {
    return absl::InvalidArgumentError("threshold: must be between 1 and 1000");
  }
  PUENTE_RETURN_IF_ERROR(CheckOffices(q.offices));
  for (const std::string& f : q.families) {
    if (IndexOf(Families(), f) < 0) {
      return absl::InvalidArgumentError(puente::StrCat(
          "tables: ", f, " is not one of registration, cases, dedup, cards, births"));
    }
  }

  Release out;
  PUENTE_ASSIGN_OR_RETURN(out.id, internal::NewUuid());
  const absl::Time now = registry.clock().Now();
  out.generated_at = FormatTimestamp(now);
  out.as_of = absl::FormatCivilTime(OfficeDay(now));
  out.from = absl::FormatCivilTime(from);
  out.to = absl::FormatCivilTime(to);
  out.offices = q.offices;
  std::sort(out.offices.begin(), out.offices.end());
  out.offices.erase(std::unique(out.offices.begin(), out.offices.end()), out.offices.end());
  out.threshold = q.threshold;
  out.method = q.method;
  out.sensitive_suppressed = !out.offices.empty();
  out.notes = {
      "Unaccompanied or separated children: the registry records no such field; not counted.",
      "Province: offices carry no province; births are counted by the province of the place of "
      "birth (the first two parts of its location code).",
      "Age: at the date of registration; a date of birth known by its year only counts as 1 "
      "July of that year.",
      "Backlog and card expiry are counted today (as_of), whatever the period.",
  };

  Draft draft;
  internal::Tx tx = internal::RegistryAccess::Context(registry, actor);
  ReleaseQuery query = q;
  query.offices = out.offices;
  absl::Status s = InReadTransaction(registry.database(), [&]() -> absl::Status {
    Computation c(tx, registry.database().dialect(), query, from, to, now);
    PUENTE_RETURN_IF_ERROR(c.FindReferencePeople());
    PUENTE_RETURN_IF_ERROR(c.Registration(draft));
    PUENTE_RETURN_IF_ERROR(c.Cases(draft));
    PUENTE_RETURN_IF_ERROR(c.Dedup(draft));
    PUENTE_RETURN_IF_ERROR(c.Cards(draft));
    PUENTE_RETURN_IF_ERROR(c.Births(draft));
    json offices = out.offices;
    return tx.Audit("stats.release", "stats_release", out.id,
                    {{"from", out.from},
                     {"to", out.to},
                     {"offices", offices},
                     {"threshold", out.threshold},
                     {"method", ToString(out.method)},
                     {"families", query.families}});
  });
  if (!s.ok()) return s;

  DisclosureRules rules;
  rules.threshold = q.threshold;
  rules.method = q.method;
  rules.suppress_sensitive_rows = out.sensitive_suppressed;
  PUENTE_ASSIGN_OR_RETURN(std::vector<ProtectedTable> published, Protect(draft.counts, rules));
  for (size_t k = 0; k < draft.tables.size(); ++k) draft.tables[k].values = std::move(published[k]);
  draft.counts.clear();  // the true counts go no further
  std::vector<RateTable> rates = Rates(draft.tables);
  for (Table& t : draft.tables) {
    if (Wanted(q, t.name)) out.tables.push_back(std::move(t));
  }
  for (DurationTable& t : draft.durations) {
    if (Wanted(q, t.name)) out.durations.push_back(std::move(t));
  }
  for (RateTable& t : rates) {
    if (Wanted(q, t.name)) out.rates.push_back(std::move(t));
  }
  return out;
}

json ReleaseToJson(const Release& r) {
  json tables = json::array();
  for (const Table& t : r.tables) {
    json cells = json::array();
    for (int i = 0; i < t.values.rows; ++i) {
      json row = json::array();
      for (int j = 0; j < t.values.cols; ++j) {
        row.push_back(ValueJson(t.values.cells[static_cast<size_t>(i) * t.values.cols + j]));
      }
      cells.push_back(std::move(row));
    }
    json row_totals = nullptr, col_totals = json::array();
    if (!t.values.row_totals.empty()) {
      row_totals = json::array();
      for (const auto& v : t.values.row_totals) row_totals.push_back(ValueJson(v));
    }
    for (const auto& v : t.values.col_totals) col_totals.push_back(ValueJson(v));
    tables.push_back(
        {{"name", t.name},
         {"title", t.title},
         {"unit", t.unit},
         {"rows", {{"dimension", t.row_dimension}, {"labels", t.row_labels}}},
         {"columns", t.col_dimension.empty()
                         ? json({{"dimension", t.unit}, {"labels", json::array({t.unit})}})
                         : json({{"dimension", t.col_dimension}, {"labels", t.col_labels}})},
         {"cells", cells},
         {"row_totals", row_totals},
         {"column_totals", col_totals},
         {"total", ValueJson(t.values.total)}});
  }
  json durations = json::array();
  for (const DurationTable& t : r.durations) {
    json rows = json::array();
    for (const Duration& d : t.rows) {
      rows.push_back({{"label", d.label},
                      {"median", d.shown ? json(d.median) : json(nullptr)},
                      {"p90", d.shown ? json(d.p90) : json(nullptr)},
                      {"mark", d.shown ? "published" : "primary"}});
    }
    durations.push_back({{"name", t.name},
                         {"title", t.title},
                         {"unit", t.unit},
                         {"dimension", t.row_dimension},
                         {"rows", rows}});
  }
  json rates = json::array();
  for (const RateTable& t : r.rates) {
    json rows = json::array();
    for (const Rate& x : t.rows) {
      rows.push_back({{"label", x.label},
                      {"value", x.shown ? json(x.value) : json(nullptr)},
                      {"mark", x.shown ? "published" : "secondary"}});
    }
    rates.push_back({{"name", t.name},
                     {"title", t.title},
                     {"definition", t.definition},
                     {"dimension", t.row_dimension},
                     {"rows", rows}});
  }
  return {{"release",
           {{"id", r.id},
            {"generated_at", r.generated_at},
            {"as_of", r.as_of},
            {"from", r.from},
            {"to", r.to},
            {"offices", r.offices},
            {"national", r.offices.empty()},
            {"threshold", r.threshold},
            {"method", ToString(r.method)},
            {"sensitive_suppressed", r.sensitive_suppressed}}},
          {"tables", tables},
          {"durations", durations},
          {"rates", rates},
          {"notes", r.notes}};
}

std::string ReleaseToCsv(const Release& r) {
  std::string out = "table,row,column,value,mark\n";
  auto line = [&](const std::string& table, const std::string& row, const std::string& col,
                  const std::string& value, std::string_view mark) {
    out += puente::StrCat(CsvField(table), ",", CsvField(row), ",", CsvField(col), ",", value, ",",
                          mark, "\n");
  };
  for (const Table& t : r.tables) {
    const bool two_way = t.values.cols > 1;
    auto col_name = [&](int j) { return two_way ? t.col_labels[j] : t.unit; };
    for (int i = 0; i < t.values.rows; ++i) {
      for (int j = 0; j < t.values.cols; ++j) {
        const PublishedValue& v = t.values.cells[static_cast<size_t>(i) * t.values.cols + j];
        line(t.name, t.row_labels[i], col_name(j), CsvValue(v), ToString(v.mark));
      }
      if (two_way) {
        const PublishedValue& v = t.values.row_totals[i];
        line(t.name, t.row_labels[i], "Total", CsvValue(v), ToString(v.mark));
      }
    }
    if (two_way) {
      for (int j = 0; j < t.values.cols; ++j) {
        const PublishedValue& v = t.values.col_totals[j];
        line(t.name, "Total", col_name(j), CsvValue(v), ToString(v.mark));
      }
    }
    line(t.name, "Total", "Total", CsvValue(t.values.total), ToString(t.values.total.mark));
  }
  for (const DurationTable& t : r.durations) {
    for (const Duration& d : t.rows) {
      const std::string_view mark = d.shown ? "published" : "primary";
      line(t.name, d.label, puente::StrCat("median_", t.unit), d.shown ? Number(d.median) : "",
           mark);
      line(t.name, d.label, puente::StrCat("p90_", t.unit), d.shown ? Number(d.p90) : "", mark);
    }
  }
  for (const RateTable& t : r.rates) {
    for (const Rate& x : t.rows) {
      line(t.name, x.label, "rate", x.shown ? Number(x.value * 100) + "%" : "",
           x.shown ? "published" : "secondary");
    }
  }
  return out;
}

absl::StatusOr<std::vector<OverdueCase>> OverdueCases(Registry& registry, const std::string& actor,
                                                      const StatusTargets& targets,
                                                      const std::vector<std::string>& offices,
                                                      int limit) {
  PUENTE_RETURN_IF_ERROR(CheckOffices(offices));
  if (limit < 1 || limit > 1000) return absl::InvalidArgumentError("limit: 1 to 1000");
  const std::pair<const char*, int> wanted[] = {{"registered", targets.registered},
                                                {"admitted", targets.admitted},
                                                {"appeal", targets.appeal}};
  for (const auto& [status, days] : wanted) {
    if (days < 1) return absl::InvalidArgumentError(puente::StrCat(status, ": at least 1 day"));
  }
  std::string office_clause;
  for (const std::string& o : offices) {
    office_clause += (office_clause.empty() ? " AND c.office_code IN ('" : ",'") + o + "'";
  }
  if (!office_clause.empty()) office_clause += ")";
  const absl::CivilDay today = OfficeDay(registry.clock().Now());
  std::vector<OverdueCase> out;
  internal::Tx tx = internal::RegistryAccess::Context(registry, actor);
  absl::Status s = InReadTransaction(registry.database(), [&]() -> absl::Status {
    // The effective date of each pending case's current status: its last
    // history row's.
    std::vector<std::string> number(kBatch), status(kBatch), office(kBatch), since(kBatch);
    Rows rows(tx.sql(), registry.database().dialect() == Dialect::kPostgresql,
              puente::StrCat("SELECT c.case_number, c.status, c.office_code, h.effective FROM "
                             "cases c JOIN case_status_history h ON h.case_id = c.id AND h.seq = "
                             "(SELECT max(seq) FROM case_status_history WHERE case_id = c.id) "
                             "WHERE c.status IN ('registered', 'admitted', 'appeal')",
                             office_clause),
              [&](soci::statement& q) { Exchange(q, number, status, office, since); });
    while (rows.Next()) {
      for (size_t i = 0; i < number.size(); ++i) {
        absl::CivilDay day;
        if (!ParseDay(since[i], &day)) continue;
        int target = 0;
        for (const auto& [name, days] : wanted) {
          if (status[i] == name) target = days;
        }
        const int waited = static_cast<int>(today - day);
        if (target > 0 && waited > target) {
          out.push_back({number[i], status[i], office[i], since[i], waited, target});
        }
      }
      for (auto* v : {&number, &status, &office, &since}) v->resize(kBatch);
    }
    std::sort(out.begin(), out.end(), [](const OverdueCase& a, const OverdueCase& b) {
      const int over_a = a.days_in_status - a.target_days,
                over_b = b.days_in_status - b.target_days;
      return over_a != over_b ? over_a > over_b : a.case_number < b.case_number;
    });
    const size_t found = out.size();
    if (out.size() > static_cast<size_t>(limit)) out.resize(limit);
    json office_list = offices;
    return tx.Audit("stats.worklist", "cases", "overdue",
                    {{"registered", targets.registered},
                     {"admitted", targets.admitted},
                     {"appeal", targets.appeal},
                     {"offices", office_list},
                     {"found", found},
                     {"listed", out.size()}});
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace puente::registry::stats
