// Shared pieces of the `puente` command groups.
#ifndef PUENTE_APPS_PUENTE_CLI_H_
#define PUENTE_APPS_PUENTE_CLI_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "puente/registry/model.h"

namespace puente::cli {

struct Globals {
  std::string db = "sqlite:puente.db";
  std::string key_file = "puente.key";
  std::string actor;
  std::string models_dir;
  // The face template set enrollments use (biometrics::TemplateSets), from
  // --template-set.
  std::string template_set;
  bool json = false;
  // Set once a command has printed its result; an error after that (e.g. a
  // refused photo's report) must not print a second JSON document.
  mutable bool printed = false;
};

// Prints `j` with --json, else `text`.
inline void Print(const Globals& g, const nlohmann::json& j, const std::string& text) {
  g.printed = true;
  if (g.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << text;
  }
}

// Takes a command's result. The Add...Commands functions keep a reference to
// it in their callbacks: it must outlive parsing (main.cc holds it).
using Runner = std::function<void(absl::Status)>;

// "TYPE:COUNTRY:NUMBER[:EXPIRY]", e.g. "passport:VEN:123456" (main.cc).
absl::StatusOr<registry::IdentityDocument> ParseDocumentArg(const std::string& arg);

// `puente import CSV PHOTOS_DIR` (import_command.cc).
void AddImportCommand(CLI::App& app, Globals& g, const Runner& run);

// `puente face ...` (face_commands.cc).
void AddFaceCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente kit certify|init|export|import|list|region` (kit_commands.cc).
// Returns the `kit` command, for AddTransferCommands.
CLI::App* AddKitCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente kit push|pull`, added to the `kit` command (transfer_commands.cc).
void AddTransferCommands(CLI::App& kit, Globals& g, const Runner& run);

// `puente jornada open|close|list` (jornada_commands.cc).
void AddJornadaCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente birth register|list|export|open` (birth_commands.cc).
void AddBirthCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente user add|disable|enable|reset-password|change-password|
// revoke-sessions|unlock|purge-sessions` (user_commands.cc).
void AddUserCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente review list|decide` (review_commands.cc).
void AddReviewCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente stats --from D --to D [--csv]` (stats_commands.cc).
void AddStatsCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente keys generate|import|certify` (key_commands.cc).
void AddKeyCommands(CLI::App& app, Globals& g, const Runner& run);

// `puente lists|card ...` (credential_commands.cc).
void AddCredentialCommands(CLI::App& app, Globals& g, const Runner& run);

}  // namespace puente::cli

#endif  // PUENTE_APPS_PUENTE_CLI_H_
