#include "puente/output.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/common/strings.h"
#include "puente/registry/json.h"

namespace puente::cli {

int ExitCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 3;
    case absl::StatusCode::kNotFound:
      return 4;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
      return 5;
    case absl::StatusCode::kDataLoss:
      return 6;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return 7;
    default:
      return 1;
  }
}

nlohmann::json ToJson(const registry::Applicant& a) { return registry::ToJson(a); }

nlohmann::json ToJson(const registry::Case& c) { return registry::ToJson(c); }

nlohmann::json ToJson(const registry::AuditReport& r) {
  nlohmann::json j = {{"intact", r.intact}, {"events_checked", r.events_checked}};
  if (!r.intact) {
    j["first_bad_event"] = r.first_bad_seq;
    j["problem"] = r.problem;
  }
  return j;
}

nlohmann::json ToJson(const registry::SchemaStatus& s) {
  nlohmann::json applied = nlohmann::json::array();
  for (const auto& m : s.applied) {
    applied.push_back({{"version", m.version}, {"name", m.name}, {"applied_at", m.applied_at}});
  }
  return {{"current_version", s.current_version},
          {"latest_version", s.latest_version},
          {"applied", applied},
          {"pending", s.pending}};
}

nlohmann::json ErrorJson(const absl::Status& s) {
  return {{"error",
           {{"code", absl::StatusCodeToString(s.code())}, {"message", std::string(s.message())}}}};
}

namespace {
std::string FullName(const registry::Applicant& a) {
  std::string name = a.given_names;
  for (const std::string* s : {&a.surname1, &a.surname2}) {
    if (!s->empty()) puente::StrAppend(&name, " ", *s);
  }
  return name;
}
}  // namespace

std::string ToTextLine(const registry::Applicant& a) {
  return absl::StrFormat("%-19s %-18s %-14s %s", a.registration_number, a.case_number,
                         registry::ToString(a.relationship), FullName(a));
}

std::string ToText(const registry::Applicant& a) {
  std::string out;
  auto line = [&out](std::string_view k, std::string_view v) {
    if (!v.empty()) puente::StrAppend(&out, absl::StrFormat("%-16s %s\n", k, v));
  };
  line("registration", a.registration_number);
  line("case", puente::StrCat(a.case_number, " (", registry::ToString(a.relationship), ")"));
  line("name", FullName(a));
  line("sex", registry::ToString(a.sex));
  line("date of birth", puente::StrCat(a.date_of_birth.ToString(), " (",
                                       registry::ToString(a.date_of_birth.precision), ")"));
  line("nationality", a.nationality);
  line("place of birth", a.place_of_birth);
  line("languages", absl::StrJoin(a.languages, ", "));
  line("phone", a.phone);
  line("address", a.address);
  for (const auto& d : a.documents) {
    line("document",
         puente::StrCat(registry::ToString(d.type), " ", d.issuing_country, " ", d.number,
                        d.expiry_date.empty() ? "" : " expires " + d.expiry_date));
  }
  line("office/officer", puente::StrCat(a.office_code, " / ", a.officer));
  line("registered", a.created_at);
  line("updated", puente::StrCat(a.updated_at, " (version ", a.version, ")"));
  return out;
}

std::string ToText(const registry::Case& c) {
  std::string out = absl::StrFormat("case %s  status %s  office %s\n", c.case_number,
                                    registry::ToString(c.status), c.office_code);
  for (const auto& m : c.members) {
    puente::StrAppend(&out, absl::StrFormat("  member %-19s %s\n", m.registration_number,
                                            registry::ToString(m.relationship)));
  }
  for (const auto& h : c.history) {
    puente::StrAppend(&out, absl::StrFormat("  %s  %s -> %s  by %s: %s\n", h.effective,
                                            h.from ? registry::ToString(*h.from) : "(new)",
                                            registry::ToString(h.to), h.changed_by, h.reason));
  }
  return out;
}

}  // namespace puente::cli
