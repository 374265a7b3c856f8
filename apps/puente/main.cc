// puente: the registry's command-line interface.
//
// Global options (also from the environment):
//   --db URL         PUENTE_DB        sqlite:PATH (default sqlite:puente.db) or postgresql://...
//   --key-file PATH  PUENTE_KEY_FILE  master key file (default puente.key); PUENTE_MASTER_KEY
//                                     (base64) overrides the file
//   --actor NAME     PUENTE_ACTOR     user recorded in the audit log (default $USER)
//   --json                            machine-readable output
// Exit codes: see puente/output.h.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/biometrics/models.h"
#include "puente/cli.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/common/text.h"
#include "puente/open_registry.h"
#include "puente/output.h"
#include "puente/registry/keys.h"
#include "puente/registry/migrator.h"
#include "puente/registry/registry.h"
#include "puente/registry/validation.h"

namespace puente::cli {
// "passport:VEN:123456[:2030-01-31]"
absl::StatusOr<registry::IdentityDocument> ParseDocumentArg(const std::string& arg) {
  std::vector<std::string> parts = puente::StrSplit(arg, ':');
  if (parts.size() < 3 || parts.size() > 4) {
    return absl::InvalidArgumentError(puente::StrCat(
        "documents: '", arg, "' should be TYPE:COUNTRY:NUMBER[:EXPIRY], e.g. passport:VEN:123456"));
  }
  auto type = registry::ParseDocumentType(parts[0]);
  if (!type) {
    return absl::InvalidArgumentError(puente::StrCat(
        "documents.type: '", parts[0],
        "' is not one of passport, national_id, birth_certificate, travel_document, other"));
  }
  registry::IdentityDocument d;
  d.type = *type;
  d.issuing_country = parts[1];
  d.number = parts[2];
  if (parts.size() == 4) d.expiry_date = parts[3];
  return d;
}

namespace {

using registry::Registry;

std::string DefaultActor() {
  for (const char* var : {"PUENTE_ACTOR", "USER"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
      return [&] {
        std::string s(v);
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
      }();
    }
  }
  return "officer";
}

absl::StatusOr<registry::DateOfBirth> ParseDobArgs(const std::string& dob,
                                                   const std::string& precision_arg) {
  std::string p = precision_arg;
  if (p.empty()) p = dob.size() == 4 ? "year" : "exact";
  auto precision = registry::ParseDatePrecision(p);
  if (!precision) {
    return absl::InvalidArgumentError(
        puente::StrCat("date_of_birth_precision: '", p, "' is not one of exact, year, estimated"));
  }
  return registry::ParseDateOfBirth(dob, *precision, Clock::Real().Now());
}

absl::StatusOr<registry::Sex> ParseSexArg(const std::string& s) {
  auto sex = registry::ParseSex(AsciiUpper(s));
  if (!sex) return absl::InvalidArgumentError(puente::StrCat("sex: '", s, "' is not F, M or X"));
  return *sex;
}

// Options shared by `applicant add` and `applicant update`.
struct PersonArgs {
  std::optional<std::string> given_names, surname1, surname2, sex, dob, dob_precision, nationality,
      place_of_birth, phone, address;
  std::optional<std::vector<std::string>> languages;
  std::vector<std::string> documents;

  void Register(CLI::App* cmd, bool adding) {
    auto* gn = cmd->add_option("--given-names", given_names, "Given names");
    if (adding) gn->required();
    cmd->add_option("--surname1", surname1, "First surname");
    cmd->add_option("--surname2", surname2, "Second surname");
    auto* sx = cmd->add_option("--sex", sex, "F, M or X");
    auto* db = cmd->add_option("--dob", dob, "Date of birth YYYY-MM-DD (or YYYY)");
    cmd->add_option("--dob-precision", dob_precision, "exact, year or estimated");
    auto* nat = cmd->add_option("--nationality", nationality,
                                "ISO 3166-1 alpha-3; XXA stateless; XXX undetermined");
    if (adding) {
      sx->required();
      db->required();
      nat->required();
    }
    cmd->add_option("--place-of-birth", place_of_birth, "Place of birth");
    cmd->add_option("--language", languages, "ISO 639 language code (repeatable)");
    cmd->add_option("--phone", phone, "Phone with country code, e.g. +507 6123 4567");
    cmd->add_option("--address", address, "Address in Panama");
    cmd->add_option(adding ? "--document" : "--add-document", documents,
                    "TYPE:COUNTRY:NUMBER[:EXPIRY] (repeatable)");
  }
};

absl::Status RunInit(const Globals& g) {
  std::vector<std::string> notes;
  const bool env_key = std::getenv("PUENTE_MASTER_KEY") != nullptr;
  if (!env_key) {
    absl::Status created = registry::CreateMasterKeyFile(g.key_file);
    if (created.ok()) {
      notes.push_back(puente::StrCat("created master key ", g.key_file,
                                     ": back it up apart from the database; without it the "
                                     "personal data cannot be read"));
    } else if (created.code() != absl::StatusCode::kAlreadyExists) {
      return created;
    } else {
      notes.push_back(puente::StrCat("using existing master key ", g.key_file));
    }
  }
  PUENTE_ASSIGN_OR_RETURN(auto db, registry::Database::Open(g.db));
  PUENTE_ASSIGN_OR_RETURN(int applied, registry::Migrate(*db));
  db.reset();
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));  // creates the data keys
  PUENTE_ASSIGN_OR_RETURN(registry::SchemaStatus st, registry::GetSchemaStatus(reg->database()));
  notes.push_back(puente::StrCat("registry ", reg->database().redacted_url(), " at schema version ",
                                 st.current_version, " (", applied, " migration(s) applied)"));
  Print(g,
        {{"database", reg->database().redacted_url()},
         {"schema_version", st.current_version},
         {"migrations_applied", applied},
         {"notes", notes}},
        puente::StrCat(absl::StrJoin(notes, "\n"), "\n"));
  return absl::OkStatus();
}

absl::Status RunDbMigrate(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto db, registry::Database::Open(g.db));
  PUENTE_ASSIGN_OR_RETURN(int applied, registry::Migrate(*db));
  PUENTE_ASSIGN_OR_RETURN(registry::SchemaStatus st, registry::GetSchemaStatus(*db));
  Print(g, {{"migrations_applied", applied}, {"schema_version", st.current_version}},
        puente::StrCat("applied ", applied, " migration(s); schema version ", st.current_version,
                       "\n"));
  return absl::OkStatus();
}

absl::Status RunDbStatus(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto db, registry::Database::Open(g.db));
  PUENTE_ASSIGN_OR_RETURN(registry::SchemaStatus st, registry::GetSchemaStatus(*db));
  std::string text =
      puente::StrCat("database        ", db->redacted_url(), "\nschema version  ",
                     st.current_version, " (this build knows ", st.latest_version, ")\n");
  for (const auto& m : st.applied) {
    puente::StrAppend(
        &text, absl::StrFormat("  applied %04d_%s at %s\n", m.version, m.name, m.applied_at));
  }
  for (const auto& p : st.pending) puente::StrAppend(&text, "  pending ", p, "\n");
  Print(g, ToJson(st), text);
  return absl::OkStatus();
}

absl::Status RunApplicantAdd(const Globals& g, const PersonArgs& p, const std::string& office,
                             const std::string& officer, const std::string& case_number,
                             const std::string& relationship, const std::string& reg_no) {
  registry::NewApplicant in;
  std::vector<std::string> errors;
  auto take = [&errors](const absl::Status& s) {
    if (!s.ok()) errors.emplace_back(s.message());
  };
  in.given_names = p.given_names.value_or("");
  in.surname1 = p.surname1.value_or("");
  in.surname2 = p.surname2.value_or("");
  if (auto sex = ParseSexArg(p.sex.value_or("")); sex.ok())
    in.sex = *sex;
  else
    take(sex.status());
  if (auto dob = ParseDobArgs(p.dob.value_or(""), p.dob_precision.value_or("")); dob.ok()) {
    in.date_of_birth = *dob;
  } else {
    take(dob.status());
  }
  in.nationality = p.nationality.value_or("");
  in.place_of_birth = p.place_of_birth.value_or("");
  in.languages = p.languages.value_or(std::vector<std::string>{});
  in.phone = p.phone.value_or("");
  in.address = p.address.value_or("");
  for (const std::string& d : p.documents) {
    if (auto doc = ParseDocumentArg(d); doc.ok())
      in.documents.push_back(*doc);
    else
      take(doc.status());
  }
  in.office_code = office;
  in.officer = officer.empty() ? g.actor : officer;
  in.case_number = case_number;
  if (auto rel = registry::ParseRelationship(relationship); rel) {
    in.relationship = *rel;
  } else {
    errors.push_back(puente::StrCat("relationship: '", relationship, "' is not known"));
  }
  in.registration_number = reg_no;
  if (!errors.empty()) {
    // Report the other fields' problems too, in one go: fill what failed to
    // parse with a valid placeholder and run the registry's own validation.
    registry::NewApplicant rest = in;
    rest.date_of_birth = {2000, 1, 1, registry::DatePrecision::kExact};
    if (auto v = registry::ValidateNewApplicant(rest, Clock::Real().Now()); !v.ok()) {
      errors.emplace_back(v.status().message());
    }
    return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  }
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::Applicant a, reg->AddApplicant(g.actor, std::move(in)));
  Print(g, ToJson(a),
        puente::StrCat("registered ", a.registration_number, " in case ", a.case_number, "\n"));
  return absl::OkStatus();
}

absl::Status RunApplicantUpdate(const Globals& g, const std::string& reg_no, const PersonArgs& p,
                                std::optional<int> expected_version) {
  registry::ApplicantUpdate u;
  u.given_names = p.given_names;
  u.surname1 = p.surname1;
  u.surname2 = p.surname2;
  if (p.sex) {
    PUENTE_ASSIGN_OR_RETURN(u.sex, ParseSexArg(*p.sex));
  }
  if (p.dob) {
    PUENTE_ASSIGN_OR_RETURN(u.date_of_birth, ParseDobArgs(*p.dob, p.dob_precision.value_or("")));
  } else if (p.dob_precision) {
    return absl::InvalidArgumentError("date_of_birth_precision: give --dob with it");
  }
  u.nationality = p.nationality;
  u.place_of_birth = p.place_of_birth;
  u.languages = p.languages;
  u.phone = p.phone;
  u.address = p.address;
  for (const std::string& d : p.documents) {
    PUENTE_ASSIGN_OR_RETURN(registry::IdentityDocument doc, ParseDocumentArg(d));
    u.add_documents.push_back(doc);
  }
  u.expected_version = expected_version;
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::Applicant a, reg->UpdateApplicant(g.actor, reg_no, u));
  Print(g, ToJson(a),
        puente::StrCat("updated ", a.registration_number, " (version ", a.version, ")\n"));
  return absl::OkStatus();
}

absl::Status RunCaseStatus(const Globals& g, const std::string& case_number, const std::string& to,
                           const std::string& reason, const std::string& effective) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  if (to.empty()) {
    if (!reason.empty() || !effective.empty()) {
      return absl::InvalidArgumentError("status: give --to with --reason/--effective");
    }
    PUENTE_ASSIGN_OR_RETURN(registry::Case c, reg->GetCase(g.actor, case_number));
    Print(g, ToJson(c), ToText(c));
    return absl::OkStatus();
  }
  auto status = registry::ParseCaseStatus(to);
  if (!status) {
    return absl::InvalidArgumentError(
        puente::StrCat("status: '", to,
                       "' is not one of registered, admitted, recognized, rejected, appeal, "
                       "closed"));
  }
  PUENTE_ASSIGN_OR_RETURN(registry::Case c,
                          reg->ChangeCaseStatus(g.actor, case_number, *status, reason, effective));
  Print(g, ToJson(c), ToText(c));
  return absl::OkStatus();
}

// `puente applicant add|show|list|update`.
void AddApplicantCommands(CLI::App& app, Globals& g, const Runner& run) {
  auto* applicant = app.add_subcommand("applicant", "Applicants");
  applicant->require_subcommand(1);
  static PersonArgs add_args;
  static std::string office, officer, case_number, relationship = "principal", reg_no;
  auto* add = applicant->add_subcommand("add", "Register a new applicant");
  add_args.Register(add, true);
  add->add_option("--office", office, "3-digit registration office code")
      ->envname("PUENTE_OFFICE")
      ->required();
  add->add_option("--officer", officer, "Registering officer (default: --actor)");
  add->add_option("--case", case_number, "Join this existing case as a dependant");
  add->add_option("--relationship", relationship, "Relationship to the case's principal")
      ->capture_default_str();
  add->add_option("--registration-number", reg_no, "Import with an existing number");
  add->callback([&] {
    run(RunApplicantAdd(g, add_args, office, officer, case_number, relationship, reg_no));
  });

  static std::string show_reg;
  auto* show = applicant->add_subcommand("show", "Show one applicant");
  show->add_option("registration_number", show_reg)->required();
  show->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(registry::Applicant a, reg->GetApplicant(g.actor, show_reg));
      Print(g, ToJson(a), ToText(a));
      return absl::OkStatus();
    }());
  });

  static int limit = 50, offset = 0;
  auto* list = applicant->add_subcommand("list", "List applicants in registration order");
  list->add_option("--limit", limit, "At most this many (1..1000)")->capture_default_str();
  list->add_option("--offset", offset, "Skip this many")->capture_default_str();
  list->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(auto all, reg->ListApplicants(g.actor, limit, offset));
      nlohmann::json j = nlohmann::json::array();
      std::string text;
      for (const auto& a : all) {
        j.push_back(ToJson(a));
        puente::StrAppend(&text, ToTextLine(a), "\n");
      }
      puente::StrAppend(&text, all.size(), " applicant(s)\n");
      Print(g, j, text);
      return absl::OkStatus();
    }());
  });

  static PersonArgs upd_args;
  static std::string upd_reg;
  static std::optional<int> expected_version;
  auto* update = applicant->add_subcommand("update", "Change an applicant's data");
  update->add_option("registration_number", upd_reg)->required();
  upd_args.Register(update, false);
  update->add_option("--expected-version", expected_version,
                     "Refuse if someone else changed the record since this version");
  update->callback([&] { run(RunApplicantUpdate(g, upd_reg, upd_args, expected_version)); });
}

// `puente case status` and `puente audit verify`.
void AddCaseAndAuditCommands(CLI::App& app, Globals& g, const Runner& run) {
  auto* cs = app.add_subcommand("case", "Asylum cases");
  cs->require_subcommand(1);
  static std::string case_no, to, reason, effective;
  auto* status = cs->add_subcommand("status", "Show a case, or change its status with --to");
  status->add_option("case_number", case_no)->required();
  status->add_option("--to", to, "registered, admitted, recognized, rejected, appeal, closed");
  status->add_option("--reason", reason, "Why (required with --to)");
  status->add_option("--effective", effective, "Decision date YYYY-MM-DD (default today)");
  status->callback([&] { run(RunCaseStatus(g, case_no, to, reason, effective)); });

  auto* audit = app.add_subcommand("audit", "Audit log");
  audit->require_subcommand(1);
  audit->add_subcommand("verify", "Check the audit hash chain")->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(registry::AuditReport r, reg->VerifyAudit());
      Print(g, ToJson(r),
            r.intact ? puente::StrCat("audit chain intact: ", r.events_checked, " events\n")
                     : puente::StrCat("AUDIT CHAIN BROKEN at event ", r.first_bad_seq, ": ",
                                      r.problem, "\n"));
      if (!r.intact) return absl::DataLossError(r.problem);
      return absl::OkStatus();
    }());
  });
}

int Main(int argc, char** argv) {
  CLI::App app{"puente: identity registration for people seeking protection"};
  app.require_subcommand(1);
  Globals g;
  g.actor = DefaultActor();
  app.add_option("--db", g.db, "Database URL: sqlite:PATH or postgresql://...")
      ->envname("PUENTE_DB")
      ->capture_default_str();
  app.add_option("--key-file", g.key_file, "Master key file")
      ->envname("PUENTE_KEY_FILE")
      ->capture_default_str();
  app.add_option("--actor", g.actor, "User name recorded in the audit log")->capture_default_str();
  app.add_flag("--json", g.json, "JSON output");
  g.models_dir = biometrics::ModelsDir();
  app.add_option("--models", g.models_dir, "Face models directory")
      ->envname("PUENTE_MODELS_DIR")
      ->capture_default_str();
  g.template_set = std::string(biometrics::InfoOf(biometrics::kDefaultTemplateSet).name);
  app.add_option("--template-set", g.template_set,
                 "Face template set of the registry (docs/biometrics.md)")
      ->envname("PUENTE_TEMPLATE_SET")
      ->capture_default_str();

  absl::Status result = absl::OkStatus();
  // A Runner object, not a lambda: the command groups keep a reference to it.
  const Runner run = [&result](absl::Status s) { result = std::move(s); };

  auto* init = app.add_subcommand("init", "Create the master key (if missing) and the schema");
  init->callback([&] { run(RunInit(g)); });

  auto* db = app.add_subcommand("db", "Schema migrations");
  db->require_subcommand(1);
  db->add_subcommand("migrate", "Apply pending migrations")->callback([&] {
    run(RunDbMigrate(g));
  });
  db->add_subcommand("status", "Show the schema version")->callback([&] { run(RunDbStatus(g)); });

  AddApplicantCommands(app, g, run);
  AddCaseAndAuditCommands(app, g, run);

  AddFaceCommands(app, g, run);
  AddKeyCommands(app, g, run);
  AddCredentialCommands(app, g, run);
  AddImportCommand(app, g, run);
  CLI::App* kit = AddKitCommands(app, g, run);
  AddTransferCommands(*kit, g, run);
  AddJornadaCommands(app, g, run);
  AddBirthCommands(app, g, run);
  AddReviewCommands(app, g, run);
  AddUserCommands(app, g, run);
  AddStatsCommands(app, g, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!result.ok()) {
    if (g.json && !g.printed) std::cout << ErrorJson(result).dump(2) << "\n";
    std::cerr << "puente: " << result.message() << "\n";
    // The operator's terminal also gets what the database itself said.
    if (auto internal = DetailOf(result, kDetailInternal)) {
      std::cerr << "puente: (" << *internal << ")\n";
    }
    return ExitCode(result);
  }
  return 0;
}

}  // namespace
}  // namespace puente::cli

int main(int argc, char** argv) { return puente::cli::Main(argc, argv); }
