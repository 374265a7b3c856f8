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
#include <vector>

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
// Inside InReadTransaction, keeps `write` to run after the read in one short
// write transaction, and returns true; elsewhere returns false (the caller
// writes now, in its own transaction). AppendAuditEvent uses it so that the
// audit event of a read does not take the write lock for the whole read.
bool DeferWriteUntilAfterRead(Database& db, std::function<absl::Status()> write);
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
  friend bool internal::DeferWriteUntilAfterRead(Database& db, std::function<absl::Status()> write);
  friend absl::Status InReadTransaction(Database& db, const std::function<absl::Status()>& fn);
  Database(DatabaseUrl url, std::unique_ptr<soci::session> s);
  DatabaseUrl url_;
  std::unique_ptr<soci::session> session_;
  // Set while InReadTransaction runs its function; the writes it deferred.
  bool reading_ = false;
  std::vector<std::function<absl::Status()>> after_read_;
};

// A transaction that rolls back unless Commit() succeeds. SQLite write
// transactions start IMMEDIATE (take the write lock up front) so that
// read-then-write sequences cannot deadlock between processes; read
// transactions start DEFERRED and never take it (in WAL mode they neither
// wait for the writer nor make it wait). PostgreSQL read transactions are
// READ ONLY, so a write slipped into one fails loudly instead of silently.
class Transaction {
 public:
  enum class Kind { kWrite, kRead };
  explicit Transaction(Database& db, Kind kind = Kind::kWrite);
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

// Runs `fn`, which only reads, in a read Transaction (no write lock). Audit
// events `fn` appends (the record of who read what) are written after the
// read commits, all in one short write transaction; if that fails, the
// whole call fails with its status, so no read goes unrecorded (the caller
// must not hand out what `fn` read unless this returns OK). `fn` must not
// write anything else: PostgreSQL refuses it; on SQLite it would take the
// write lock mid-transaction and can fail with "database is locked".
absl::Status InReadTransaction(Database& db, const std::function<absl::Status()>& fn);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_DATABASE_H_
