// Accounts of the HTTP service from the command line, for an administrator
// with the database and its key (docs/cli.md, "Users"). Passwords are read
// from standard input, one per line, never from the command line (which
// other users of the machine can see):
//   puente user add NAME --role ROLE        password on stdin
//   puente user disable|enable NAME         disabling ends the user's sessions
//   puente user reset-password NAME         new password on stdin; sessions end
//   puente user change-password NAME        current, then new password on stdin
//   puente user revoke-sessions NAME        ends every session of the user
//   puente user unlock NAME | --address IP  after failed logins
//   puente user purge-sessions              deletes expired sessions
#include <iostream>

#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/open_registry.h"
#include "puente/registry/users.h"

namespace puente::cli {
namespace {

using nlohmann::json;

// One line of standard input (without its line end); InvalidArgument naming
// `what` if there is none.
absl::StatusOr<std::string> ReadSecretLine(const std::string& what) {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return absl::InvalidArgumentError(what + ": expected on standard input, one line");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

absl::Status RunAdd(const Globals& g, const std::string& name, const std::string& role_text) {
  auto role = registry::ParseRole(role_text);
  if (!role) {
    return absl::InvalidArgumentError(
        "--role: one of officer, supervisor, auditor, admin, verifier");
  }
  PUENTE_ASSIGN_OR_RETURN(std::string password, ReadSecretLine("password"));
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::User u,
                          registry::UserDirectory(*reg).AddUser(g.actor, name, *role, password));
  Print(g, {{"name", u.name}, {"role", registry::ToString(u.role)}},
        absl::StrFormat("user %s added (%s)\n", u.name, registry::ToString(u.role)));
  return absl::OkStatus();
}

absl::Status RunSetActive(const Globals& g, const std::string& name, bool active) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_RETURN_IF_ERROR(registry::UserDirectory(*reg).SetActive(g.actor, name, active));
  Print(g, {{"name", name}, {"active", active}},
        absl::StrFormat("user %s %s\n", name, active ? "enabled" : "disabled; sessions ended"));
  return absl::OkStatus();
}

absl::Status RunResetPassword(const Globals& g, const std::string& name) {
  PUENTE_ASSIGN_OR_RETURN(std::string password, ReadSecretLine("new password"));
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_RETURN_IF_ERROR(registry::UserDirectory(*reg).ResetPassword(g.actor, name, password));
  Print(g, {{"name", name}, {"password", "reset"}},
        absl::StrFormat("password of %s reset; their sessions ended\n", name));
  return absl::OkStatus();
}

absl::Status RunChangePassword(const Globals& g, const std::string& name) {
  PUENTE_ASSIGN_OR_RETURN(std::string current, ReadSecretLine("current password"));
  PUENTE_ASSIGN_OR_RETURN(std::string next, ReadSecretLine("new password"));
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  registry::UserDirectory users(*reg);
  // The same path as over HTTP: a login proves the current password (and is
  // throttled and audited like one), then that session changes it and ends.
  auto token = users.Login(name, current, absl::Minutes(5));
  if (!token.ok()) return token.status();
  absl::Status changed = users.ChangeOwnPassword(*token, current, next);
  PUENTE_RETURN_IF_ERROR(users.Logout(*token));
  PUENTE_RETURN_IF_ERROR(changed);
  Print(g, {{"name", name}, {"password", "changed"}},
        absl::StrFormat("password of %s changed; their other sessions ended\n", name));
  return absl::OkStatus();
}

absl::Status RunRevokeSessions(const Globals& g, const std::string& name) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(int ended, registry::UserDirectory(*reg).RevokeSessions(g.actor, name));
  Print(g, {{"name", name}, {"sessions_ended", ended}},
        absl::StrFormat("%d session(s) of %s ended\n", ended, name));
  return absl::OkStatus();
}

absl::Status RunUnlock(const Globals& g, const std::string& name, const std::string& address) {
  if (name.empty() == address.empty()) {
    return absl::InvalidArgumentError("unlock: give a user NAME or --address IP (one of them)");
  }
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  registry::UserDirectory users(*reg);
  if (!name.empty()) {
    PUENTE_RETURN_IF_ERROR(users.Unlock(g.actor, name));
    Print(g, {{"name", name}, {"unlocked", true}}, absl::StrFormat("user %s unlocked\n", name));
  } else {
    PUENTE_RETURN_IF_ERROR(users.UnlockAddress(g.actor, address));
    Print(g, {{"address", address}, {"unlocked", true}},
          absl::StrFormat("address %s unlocked\n", address));
  }
  return absl::OkStatus();
}

absl::Status RunPurgeSessions(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(int purged, registry::UserDirectory(*reg).PurgeExpiredSessions(g.actor));
  Print(g, {{"purged", purged}}, absl::StrFormat("%d expired session(s) deleted\n", purged));
  return absl::OkStatus();
}

}  // namespace

void AddUserCommands(CLI::App& app, Globals& g, const Runner& run) {
  static std::string name, role, address;
  auto* user = app.add_subcommand("user", "Accounts of the HTTP service (administrators)");
  user->require_subcommand(1);
  auto name_arg = [](CLI::App* cmd) { cmd->add_option("name", name, "User name")->required(); };
  auto* add = user->add_subcommand("add", "Add a user (password on standard input)");
  name_arg(add);
  add->add_option("--role", role, "officer, supervisor, auditor, admin or verifier")->required();
  add->callback([&] { run(RunAdd(g, name, role)); });
  auto* disable = user->add_subcommand("disable", "Disable a user; their sessions end");
  name_arg(disable);
  disable->callback([&] { run(RunSetActive(g, name, false)); });
  auto* enable = user->add_subcommand("enable", "Enable a disabled user");
  name_arg(enable);
  enable->callback([&] { run(RunSetActive(g, name, true)); });
  auto* reset = user->add_subcommand(
      "reset-password", "Set a new password (on standard input); sessions end, account unlocked");
  name_arg(reset);
  reset->callback([&] { run(RunResetPassword(g, name)); });
  auto* change = user->add_subcommand(
      "change-password", "Change a password: the current one, then the new one, on standard input");
  name_arg(change);
  change->callback([&] { run(RunChangePassword(g, name)); });
  auto* revoke = user->add_subcommand("revoke-sessions", "End every session of a user");
  name_arg(revoke);
  revoke->callback([&] { run(RunRevokeSessions(g, name)); });
  auto* unlock = user->add_subcommand("unlock",
                                      "Unlock an account (NAME) or address (--address) after "
                                      "failed logins");
  unlock->add_option("name", name, "User name");
  unlock->add_option("--address", address, "Client IP address");
  unlock->callback([&] { run(RunUnlock(g, name, address)); });
  user->add_subcommand("purge-sessions", "Delete expired sessions")->callback([&] {
    run(RunPurgeSessions(g));
  });
}

}  // namespace puente::cli
