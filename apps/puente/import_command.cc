// `puente import CSV PHOTOS_DIR`: many applicants at once through the same
// enrollment as the service (quality gate, dedup, holds). Each row's `id`
// column is its idempotency key: an interrupted import run again continues
// where it stopped and enrolls nobody twice.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/open_registry.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/validation.h"
#include "support/csv.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using nlohmann::json;

struct ImportArgs {
  std::string csv;
  std::string photos;
  std::string report;
  int limit = 0;
};

absl::StatusOr<registry::NewApplicant> RowApplicant(const apps::CsvTable& t, size_t r,
                                                    const std::string& actor) {
  registry::NewApplicant a;
  a.given_names = t.Get(r, "given_names");
  a.surname1 = t.Get(r, "surname1");
  a.surname2 = t.Get(r, "surname2");
  auto sex = registry::ParseSex(t.Get(r, "sex"));
  if (!sex) return absl::InvalidArgumentError("sex: F, M or X");
  a.sex = *sex;
  const std::string precision = t.Get(r, "dob_precision");
  auto prec = registry::ParseDatePrecision(precision.empty() ? "exact" : precision);
  if (!prec) return absl::InvalidArgumentError("dob_precision: exact, year or estimated");
  PUENTE_ASSIGN_OR_RETURN(
      a.date_of_birth, registry::ParseDateOfBirth(t.Get(r, "date_of_birth"), *prec, absl::Now()));
  a.nationality = t.Get(r, "nationality");
  a.place_of_birth = t.Get(r, "place_of_birth");
  a.phone = t.Get(r, "phone");
  a.address = t.Get(r, "address");
  a.office_code = t.Get(r, "office_code");
  a.officer = actor;
  for (const std::string& l : StrSplit(t.Get(r, "languages"), ';')) {
    if (!l.empty()) a.languages.push_back(l);
  }
  for (const std::string& d : StrSplit(t.Get(r, "documents"), ';')) {
    if (d.empty()) continue;
    PUENTE_ASSIGN_OR_RETURN(registry::IdentityDocument doc, ParseDocumentArg(d));
    a.documents.push_back(std::move(doc));
  }
  return a;
}

absl::Status RunImport(const Globals& g, const ImportArgs& args) {
  PUENTE_ASSIGN_OR_RETURN(std::string text, apps::ReadFile(args.csv));
  PUENTE_ASSIGN_OR_RETURN(apps::CsvTable table, apps::ParseCsv(text));
  for (const char* required :
       {"id", "given_names", "sex", "date_of_birth", "nationality", "office_code", "photo"}) {
    if (std::find(table.header.begin(), table.header.end(), required) == table.header.end()) {
      return absl::InvalidArgumentError(
          puente::StrCat(args.csv, ": column \"", required, "\" is missing"));
    }
  }
  PUENTE_ASSIGN_OR_RETURN(RegistryWithFaces opened, OpenRegistryWithFaces(g));
  registry::EnrollmentService& service = *opened.service;
  const std::string actor = g.actor;

  const size_t total =
      args.limit > 0 ? std::min<size_t>(args.limit, table.rows.size()) : table.rows.size();
  int cleared = 0, held = 0, refused = 0, already = 0;
  json refused_rows = json::array(), held_rows = json::array();
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&](size_t done) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = secs > 0 ? done / secs : 0;
    const int width = 30;
    const int filled = total ? static_cast<int>(width * done / total) : width;
    std::cerr << absl::StrFormat(
        "%s[%s%s] %d/%d  cleared %d  held %d  refused %d  already %d  %.1f rows/s  ETA %ds%s",
        tty ? "\r" : "", std::string(filled, '#'), std::string(width - filled, '.'), done, total,
        cleared, held, refused, already, rate,
        rate > 0 ? static_cast<int>((total - done) / rate) : 0, tty ? "" : "\n");
  };
  for (size_t r = 0; r < total; ++r) {
    const int line = table.line_of_row[r];
    const std::string& id = table.Get(r, "id");
    auto refuse = [&](const std::string& why) {
      ++refused;
      refused_rows.push_back({{"line", line}, {"id", id}, {"reason", why}});
    };
    if (id.empty()) {
      refuse("id: required (it makes the import resumable)");
    } else if (auto applicant = RowApplicant(table, r, actor); !applicant.ok()) {
      refuse(std::string(applicant.status().message()));
    } else if (auto photo = apps::ReadFile(args.photos + "/" + table.Get(r, "photo"));
               !photo.ok()) {
      refuse(puente::StrCat("photo: ", table.Get(r, "photo"), " not found in ", args.photos));
    } else {
      bool replayed = false;
      auto e = service.Enroll(actor, std::move(*applicant), *photo, "import:" + id, &replayed);
      if (!e.ok()) {
        refuse(std::string(e.status().message()));
      } else if (replayed) {
        ++already;
      } else if (e->status == registry::EnrollmentStatus::kHeld) {
        ++held;
        held_rows.push_back({{"line", line},
                             {"id", id},
                             {"registration_number", e->applicant.registration_number},
                             {"candidates", e->candidates.size()}});
      } else {
        ++cleared;
      }
    }
    if (tty || (r + 1) % 50 == 0 || r + 1 == total) progress(r + 1);
  }
  if (tty) std::cerr << "\n";
  const json report{
      {"rows", total},         {"enrolled_cleared", cleared}, {"held_for_adjudication", held},
      {"refused", refused},    {"already_imported", already}, {"refused_rows", refused_rows},
      {"held_rows", held_rows}};
  if (!args.report.empty()) PUENTE_RETURN_IF_ERROR(apps::WriteFile(args.report, report.dump(2)));
  std::string text_report = absl::StrFormat(
      "import %s: %d rows; %d enrolled and cleared, %d held for adjudication, %d refused, %d "
      "already imported\n",
      args.csv, total, cleared, held, refused, already);
  for (const auto& row : refused_rows) {
    text_report += absl::StrFormat("  refused line %d (id %s): %s\n", row["line"].get<int>(),
                                   row["id"].get<std::string>(), row["reason"].get<std::string>());
  }
  for (const auto& row : held_rows) {
    text_report +=
        absl::StrFormat("  held line %d (id %s): %s, %d candidate(s)\n", row["line"].get<int>(),
                        row["id"].get<std::string>(), row["registration_number"].get<std::string>(),
                        row["candidates"].get<int>());
  }
  Print(g, report, text_report);
  return absl::OkStatus();
}

}  // namespace

void AddImportCommand(CLI::App& app, Globals& g, const Runner& run) {
  static ImportArgs args;
  auto* cmd = app.add_subcommand(
      "import", "Enroll many applicants from a CSV file and a folder of photos (resumable)");
  cmd->add_option("csv", args.csv,
                  "CSV with columns id, given_names, surname1, surname2, sex, date_of_birth, "
                  "dob_precision, nationality, office_code, photo [, documents, languages, "
                  "phone, address, place_of_birth]")
      ->required();
  cmd->add_option("photos", args.photos, "Folder holding the photo files named in the CSV")
      ->required();
  cmd->add_option("--report", args.report, "Also write the final report as JSON here");
  cmd->add_option("--limit", args.limit, "Stop after this many rows (0: all)");
  cmd->callback([&] { run(RunImport(g, args)); });
}

}  // namespace puente::cli
