// Adjudication from the command line, for a supervisor at a field kit (or at
// the centre after a bundle import) without the HTTP service:
//   puente review list [--limit N] [--flagged]  enrollments held (or flagged), with candidates
//   puente review decide CANDIDATE_ID same_person|different --note TEXT
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/open_registry.h"
#include "puente/registry/adjudication.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/json.h"

namespace puente::cli {
namespace {

using nlohmann::json;

std::string Describe(const registry::Enrollment& e) {
  const registry::Applicant& a = e.applicant;
  std::string text = absl::StrFormat(
      "%s  %s %s %s  born %s  %s  (%s)\n", a.registration_number, a.given_names, a.surname1,
      a.surname2, a.date_of_birth.ToString(), a.nationality, registry::ToString(e.status));
  for (const registry::DuplicateCandidate& c : e.candidates) {
    text += absl::StrFormat(
        "  candidate %s: %s  %s  fused %s  face %s  demographic %.2f  %s%s\n", c.id,
        c.registration_number, registry::ToString(c.tier),
        c.fused_score ? absl::StrFormat("%.1f", *c.fused_score) : "-",
        c.face_score ? absl::StrFormat("%.2f", *c.face_score) : "-", c.demographic_score,
        absl::StrJoin(c.reasons, "; "),
        c.decision ? absl::StrFormat("  [%s by %s]", registry::ToString(*c.decision), c.decided_by)
                   : "");
  }
  return text;
}

absl::Status RunList(const Globals& g, int limit, bool flagged) {
  // Reviewing needs no face models.
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto held,
                          registry::Adjudication(*reg).ListHeld(g.actor, limit, flagged));
  json arr = json::array();
  std::string text;
  for (const auto& e : held) {
    arr.push_back(registry::ToJson(e));
    text += Describe(e);
  }
  text += absl::StrFormat(flagged ? "%d enrollment(s) flagged for review (cards not blocked)\n"
                                  : "%d enrollment(s) held for adjudication\n",
                          held.size());
  Print(g, {{flagged ? "flagged" : "held", arr}}, text);
  return absl::OkStatus();
}

absl::Status RunDecide(const Globals& g, const std::string& candidate, const std::string& decision,
                       const std::string& note) {
  registry::Decision d;
  if (decision == "same_person") {
    d = registry::Decision::kSamePerson;
  } else if (decision == "different") {
    d = registry::Decision::kDifferent;
  } else {
    return absl::InvalidArgumentError("decision: same_person or different");
  }
  if (note.empty()) return absl::InvalidArgumentError("--note: say why (it is audited)");
  // Deciding needs no face models either: this process holds no gallery.
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::Enrollment e,
                          registry::Adjudication(*reg).Decide(g.actor, candidate, d, note));
  Print(g, registry::ToJson(e), "decided; the enrollment is now:\n" + Describe(e));
  return absl::OkStatus();
}

}  // namespace

void AddReviewCommands(CLI::App& app, Globals& g, const Runner& run) {
  static int limit = 50;
  static bool flagged = false;
  static std::string candidate, decision, note;
  auto* review = app.add_subcommand("review", "Adjudicate possible duplicates (supervisors)");
  review->require_subcommand(1);
  auto* list = review->add_subcommand("list", "Enrollments held for adjudication, oldest first");
  list->add_option("--limit", limit, "At most this many (default 50)");
  list->add_flag("--flagged", flagged,
                 "The lower-priority list: enrollments flagged for review, cards not blocked");
  list->callback([&] { run(RunList(g, limit, flagged)); });
  auto* decide = review->add_subcommand("decide", "Decide one candidate");
  decide->add_option("candidate_id", candidate, "Candidate id (from `review list`)")->required();
  decide->add_option("decision", decision, "same_person or different")->required();
  decide->add_option("--note", note, "Why (audited)")->required();
  decide->callback([&] { run(RunDecide(g, candidate, decision, note)); });
}

}  // namespace puente::cli
