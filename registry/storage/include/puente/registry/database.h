// A database connection opened from a URL, for either dialect through SOCI.
//
//   sqlite:PATH                      embedded, one file (the default)
//   sqlite:PATH?max_pages=N          the same, the file held to N pages (of
//                                    4096 bytes): past them writes fail as on
//                                    a full disk (Unavailable "disk is full")
//   postgresql://USER:PASS@HOST:PORT/DBNAME?param=value
//
// A SQLite file that does not exist yet is created with mode 0600 (owner
// only), like the master key; SQLite gives its -wal and -shm files the mode
// of the database file. An existing file keeps its mode.
//
// SOCI 4.0 does not hand URIs to libpq, so the URL is translated into a
// libpq keyword string here. Messages show the URL with its password
// replaced by "***". A Database is not thread-safe: use one per thread.
#ifndef PUENTE_REGISTRY_DATABASE_H_
#define PUENTE_REGISTRY_DATABASE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace soci {
class session;
}  // namespace soci

namespace puente::registry {

class Database;
namespace internal {
// The SOCI session of `db`, for registry/ code (storage/internal/session.h).
soci::session& Session(Database& db);
}  // namespace internal

enum class Dialect { kSqlite, kPostgresql };

struct DatabaseUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string connect_string;      // SOCI backend connect string (holds the password)
  std::string redacted;            // safe to print
  long long sqlite_max_pages = 0;  // sqlite:PATH?max_pages=N; 0: no limit

  // InvalidArgument("database url: ...") for anything else.
  static absl::StatusOr<DatabaseUrl> Parse(const std::string& url);
};

class Database {
 public:
  // Connects. Unavailable if the server cannot be reached or the file cannot
  // be opened. SQLite gets foreign keys on, WAL journal and a busy timeout.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& url);
  ~Database();

  Dialect dialect() const { return url_.dialect; }
  const std::string& redacted_url() const { return url_.redacted; }

 private:
  friend soci::session& internal::Session(Database& db);
  Database(DatabaseUrl url, std::unique_ptr<soci::session> s);
  DatabaseUrl url_;
  std::unique_ptr<soci::session> session_;
};

// A transaction that rolls back unless Commit() succeeds. SQLite transactions
// start IMMEDIATE (take the write lock up front) so that read-then-write
// sequences cannot deadlock between processes.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  absl::Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

// The message of a write refused for want of disk space (SQLITE_FULL,
// PostgreSQL's disk_full): the transaction was rolled back whole.
inline constexpr std::string_view kDiskFullMessage =
    "the registry's disk is full; nothing was saved";

// Runs `fn` inside a Transaction and commits if it returns OK; SOCI and
// standard exceptions are turned into statuses. Nothing is written unless
// the whole of `fn` succeeded.
//
// A database error's status carries a message fit for the user of an API
// ("the registry's disk is full; nothing was saved", "the registry is busy
// ...") and never the backend's own text (SOCI function names, SQL, file
// paths), which goes to the kDetailInternal payload for the log:
//   Unavailable + kDetailReason "disk_full"      SQLITE_FULL, PostgreSQL 53100
//   Unavailable + kDetailReason "database_busy"  SQLite "database is locked"
//   Unavailable + kDetailReason "database_unreachable"  a lost connection
//   AlreadyExists, FailedPrecondition            a constraint refused the write
//   Aborted                                      a serialisation failure
//   Internal                                     anything else
absl::Status InTransaction(Database& db, const std::function<absl::Status()>& fn);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_DATABASE_H_
