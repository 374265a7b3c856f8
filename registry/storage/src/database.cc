#include "puente/registry/database.h"

#include <fcntl.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "storage/internal/session.h"

namespace puente::registry {
namespace {

absl::Status BadUrl(std::string_view why) {
  return absl::InvalidArgumentError(puente::StrCat("database url: ", why));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || HexDigit(s[i + 1]) < 0 || HexDigit(s[i + 2]) < 0) {
      return BadUrl("bad percent-escape");
    }
    out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
    i += 2;
  }
  return out;
}

// libpq keyword value, single-quoted with \ and ' escaped.
std::string PqQuote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

absl::StatusOr<DatabaseUrl> ParsePostgres(std::string_view url, std::string_view rest) {
  DatabaseUrl out;
  out.dialect = Dialect::kPostgresql;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  std::string_view userinfo;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  std::string_view host = rest, port;
  if (std::string_view(rest).starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return BadUrl("unclosed [ in host");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return BadUrl("junk after ] in host");
      port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  for (char c : port) {
    if (c < '0' || c > '9') return BadUrl("port must be a number");
  }
  std::string conn;
  std::string redacted = "postgresql://";
  auto add = [&conn](std::string_view key, std::string_view value) {
    if (!conn.empty()) conn.push_back(' ');
    puente::StrAppend(&conn, key, "=", PqQuote(value));
  };
  if (!userinfo.empty()) {
    std::string_view user = userinfo, password;
    bool has_password = false;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
      has_password = true;
    }
    auto u = PercentDecode(user);
    if (!u.ok()) return u.status();
    if (!u->empty()) add("user", *u);
    puente::StrAppend(&redacted, user);
    if (has_password) {
      auto p = PercentDecode(password);
      if (!p.ok()) return p.status();
      add("password", *p);
      puente::StrAppend(&redacted, ":***");
    }
    puente::StrAppend(&redacted, "@");
  }
  if (!host.empty()) {
    auto h = PercentDecode(host);
    if (!h.ok()) return h.status();
    add("host", *h);
  }
  if (!port.empty()) add("port", port);
  puente::StrAppend(&redacted, rest, "/", path);
  if (!path.empty()) {
    auto d = PercentDecode(path);
    if (!d.ok()) return d.status();
    add("dbname", *d);
  }
  if (!query.empty()) {
    puente::StrAppend(&redacted, "?");
    bool first = true;
    for (std::string_view kv : puente::StrSplit(query, '&')) {
      if (kv.empty()) continue;
      const auto eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) return BadUrl("query needs key=value pairs");
      auto k = PercentDecode(kv.substr(0, eq));
      auto v = PercentDecode(kv.substr(eq + 1));
      if (!k.ok()) return k.status();
      if (!v.ok()) return v.status();
      for (char c : *k) {
        if (!((c >= 'a' && c <= 'z') || c == '_')) return BadUrl("bad parameter name");
      }
      add(*k, *v);
      const bool secret = *k == "password";
      puente::StrAppend(&redacted, first ? "" : "&", kv.substr(0, eq), "=",
                        secret ? "***" : kv.substr(eq + 1));
      first = false;
    }
  }
  (void)url;
  out.connect_string = conn;
  out.redacted = redacted;
  return out;
}

}  // namespace

absl::StatusOr<DatabaseUrl> DatabaseUrl::Parse(const std::string& url) {
  if (std::string_view(url).starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (std::string_view(path).starts_with("//")) path = path.substr(2);  // sqlite://PATH
    long long max_pages = 0;
    if (auto q = path.find('?'); q != std::string::npos) {
      const std::string query = path.substr(q + 1);
      path = path.substr(0, q);
      if (!query.starts_with("max_pages=") ||
          !absl::SimpleAtoi(absl::string_view(query.data() + 10, query.size() - 10), &max_pages) ||
          max_pages <= 0) {
        return BadUrl("sqlite takes one parameter, ?max_pages=N (N > 0)");
      }
    }
    if (path.empty()) return BadUrl("sqlite: needs a file path, e.g. sqlite:puente.db");
    // SOCI's sqlite3 backend reads a string without '=' as the file name.
    if (path.find('=') != std::string::npos || path.find('"') != std::string::npos) {
      return BadUrl("sqlite path may not contain '=' or '\"'");
    }
    DatabaseUrl out;
    out.dialect = Dialect::kSqlite;
    out.connect_string = path;
    out.redacted = url;
    out.sqlite_max_pages = max_pages;
    return out;
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (std::string_view(url).starts_with(scheme)) {
      return ParsePostgres(url, std::string_view(url).substr(scheme.size()));
    }
  }
  return BadUrl("expected sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DB");
}

Database::Database(DatabaseUrl url, std::unique_ptr<soci::session> s)
    : url_(std::move(url)), session_(std::move(s)) {}
Database::~Database() = default;

soci::session& internal::Session(Database& db) { return *db.session_; }

namespace {

// Creates the SQLite file `path` with mode 0600 if it does not exist yet, so
// that SQLite (which gives -wal and -shm the database file's mode) never
// makes a world-readable registry. An existing file is left as it is.
// (If it cannot be created, SQLite's own open fails and says why.)
void CreatePrivateFile(const std::string& path) {
  if (path == ":memory:" || path.starts_with("file:")) return;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& url) {
  auto parsed = DatabaseUrl::Parse(url);
  if (!parsed.ok()) return parsed.status();
  try {
    std::unique_ptr<soci::session> s;
    if (parsed->dialect == Dialect::kSqlite) {
      CreatePrivateFile(parsed->connect_string);
      s = std::make_unique<soci::session>(soci::sqlite3, parsed->connect_string);
      if (parsed->sqlite_max_pages > 0) {
        long long max_pages = 0;
        *s << "PRAGMA max_page_count = " << parsed->sqlite_max_pages, soci::into(max_pages);
      }
      *s << "PRAGMA foreign_keys = ON";
      *s << "PRAGMA busy_timeout = 10000";
      std::string mode;
      *s << "PRAGMA journal_mode = WAL", soci::into(mode);
      *s << "PRAGMA synchronous = NORMAL";
    } else {
      s = std::make_unique<soci::session>(soci::postgresql, parsed->connect_string);
      *s << "SET client_min_messages = warning";
    }
    return std::unique_ptr<Database>(new Database(std::move(*parsed), std::move(s)));
  } catch (const soci::soci_error& e) {
    // The message of a failed connection names host and port, never the password.
    return absl::UnavailableError(
        puente::StrCat("cannot open database ", parsed->redacted, ": ", e.get_error_message()));
  }
}

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  const bool read = kind == Kind::kRead;
  if (db_.dialect() == Dialect::kSqlite) {
    internal::Session(db_) << (read ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  } else if (read) {
    internal::Session(db_) << "BEGIN READ ONLY";
  } else {
    internal::Session(db_).begin();
  }
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    internal::Session(db_).rollback();
  } catch (...) {
    // Nothing more can be done: the connection is broken and the server
    // discards the transaction.
  }
}

absl::Status Transaction::Commit() {
  try {
    internal::Session(db_).commit();
    open_ = false;
    return absl::OkStatus();
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "committing");
  }
}

absl::Status InTransaction(Database& db, const std::function<absl::Status()>& fn) {
  try {
    Transaction tx(db);
    absl::Status s = fn();
    if (!s.ok()) return s;  // ~Transaction rolls back
    return tx.Commit();
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "database operation");
  } catch (const std::exception& e) {
    return WithDetail(absl::InternalError("database operation failed"), kDetailInternal,
                      puente::StrCat("database operation: ", e.what()));
  }
}

namespace {

// A user-facing status for a database failure, with the backend's own text
// kept for the log (kDetailInternal) and a stable reason when there is one.
absl::Status DatabaseFailure(absl::StatusCode code, std::string_view message,
                             std::string_view reason, const std::string& internal_text) {
  absl::Status s(code, absl::string_view(message.data(), message.size()));
  if (!reason.empty()) s = WithDetail(std::move(s), kDetailReason, reason);
  return WithDetail(std::move(s), kDetailInternal, internal_text);
}

}  // namespace

bool internal::DeferWriteUntilAfterRead(Database& db, std::function<absl::Status()> write) {
  if (!db.reading_) return false;
  db.after_read_.push_back(std::move(write));
  return true;
}

absl::Status InReadTransaction(Database& db, const std::function<absl::Status()>& fn) {
  struct Reading {
    Database& db;
    explicit Reading(Database& d) : db(d) {
      db.reading_ = true;
      db.after_read_.clear();
    }
    ~Reading() {
      db.reading_ = false;
      db.after_read_.clear();
    }
  };
  std::vector<std::function<absl::Status()>> writes;
  try {
    Reading reading(db);
    Transaction tx(db, Transaction::Kind::kRead);
    absl::Status s = fn();
    if (!s.ok()) return s;  // ~Transaction rolls back; the deferred writes are dropped
    PUENTE_RETURN_IF_ERROR(tx.Commit());
    writes = std::move(db.after_read_);
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "database operation");
  } catch (const std::exception& e) {
    return absl::InternalError(puente::StrCat("database operation: ", e.what()));
  }
  if (writes.empty()) return absl::OkStatus();
  return InTransaction(db, [&]() -> absl::Status {
    for (const auto& write : writes) PUENTE_RETURN_IF_ERROR(write());
    return absl::OkStatus();
  });
}

absl::Status internal::FromSociError(const soci::soci_error& e, std::string_view context) {
  // get_error_message() leaves out the SQL text and bound values; it still
  // names SOCI's backend functions and tables, so it only goes to the log.
  const std::string msg = e.get_error_message();
  std::string_view first_line = msg;
  if (auto nl = first_line.find('\n'); nl != std::string_view::npos) {
    first_line = first_line.substr(0, nl);
  }
  const std::string text = puente::StrCat(context, ": ", first_line);
  using absl::StatusCode;
  auto disk_full = [&] {
    return DatabaseFailure(StatusCode::kUnavailable, kDiskFullMessage, "disk_full", text);
  };
  auto busy = [&] {
    return DatabaseFailure(StatusCode::kUnavailable,
                           "the registry is busy (another writer holds the database); nothing "
                           "was saved; try again in a moment",
                           "database_busy", text);
  };
  auto unreachable = [&] {
    return DatabaseFailure(StatusCode::kUnavailable,
                           "the registry's database cannot be reached; nothing was saved; try "
                           "again in a moment",
                           "database_unreachable", text);
  };
  auto conflict = [&](StatusCode code) {
    return DatabaseFailure(code,
                           code == StatusCode::kAlreadyExists
                               ? "the record already exists (a concurrent or repeated write)"
                               : "the change conflicts with the records stored",
                           "", text);
  };
  auto internal_error = [&] {
    return DatabaseFailure(StatusCode::kInternal, "database operation failed", "", text);
  };
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    // Class 53, insufficient resources: 53100 disk_full, 53200 out of
    // memory, 53300 too many connections, 53400 configuration limit.
    if (state == "53100") return disk_full();
    if (state == "23505") return conflict(StatusCode::kAlreadyExists);
    if (std::string_view(state).starts_with("23")) return conflict(StatusCode::kFailedPrecondition);
    if (std::string_view(state).starts_with("08") || std::string_view(state).starts_with("57") ||
        std::string_view(state).starts_with("53")) {
      return unreachable();
    }
    if (state == "40001" || state == "40P01") {
      return DatabaseFailure(StatusCode::kAborted,
                             "a concurrent change conflicted with this one; nothing was saved; "
                             "try again",
                             "", text);
    }
  }
  // PostgreSQL without a SQLSTATE (a lost connection's libpq text) and SQLite:
  // by message. SQLITE_FULL is "database or disk is full".
  if (msg.find("database or disk is full") != std::string::npos ||
      msg.find("could not extend file") != std::string::npos ||
      msg.find("No space left on device") != std::string::npos) {
    return disk_full();
  }
  if (msg.find("UNIQUE constraint failed") != std::string::npos) {
    return conflict(StatusCode::kAlreadyExists);
  }
  if (msg.find("constraint failed") != std::string::npos) {
    return conflict(StatusCode::kFailedPrecondition);
  }
  if (msg.find("database is locked") != std::string::npos ||
      msg.find("database is busy") != std::string::npos) {
    return busy();
  }
  switch (e.get_error_category()) {
    case soci::soci_error::connection_error:
      return unreachable();
    case soci::soci_error::constraint_violation:
      return conflict(StatusCode::kFailedPrecondition);
    case soci::soci_error::no_privilege:
      return DatabaseFailure(StatusCode::kPermissionDenied,
                             "the registry's database refused the operation (privileges)", "",
                             text);
    default:
      return internal_error();
  }
}

}  // namespace puente::registry
