// Statistical disclosure control for published tables of counts
// (docs/statistics.md, "Disclosure control"). Pure functions: no database,
// no clock, no randomness; thread-safe.
//
// A table is R rows by C columns of counts with its margins: row totals,
// column totals and the grand total (a one-way table, C == 1, has only the
// column of cells and its total). Every published figure, margins included,
// is a cell of the table's additive structure, which is a flow network:
//
//   two-way:  S --row total i--> r_i --cell i,j--> c_j --column total j--> T
//             T --grand total--> S
//   one-way:  S --cell i--> T,  T --total--> S
//
// (each node's arcs in = arcs out is one additive relation: a row, a column,
// the totals). A suppressed value is protected when another table of
// non-negative integers agreeing with every published value gives it a
// different value: exactly when its arc lies on a cycle of suppressed arcs
// that can be pushed one unit either way (Recoverable below checks it).
//
// Protect applies, in order:
//   1. primary suppression: every value in [1, threshold) (zeros are
//      published: they name nobody);
//   2. sensitive groups: every cell and the row total of a row marked
//      sensitive, when the release is below national level;
//   3. secondary suppression to a fixed point: for each relation with
//      exactly one suppressed value, the next smallest non-zero published
//      value of that relation; then, for each suppressed value still
//      recoverable (Recoverable), the next smallest non-zero value beside it;
//      tables that share a margin (same margin_key) suppress the shared
//      column totals and grand total alike, tables of the same population
//      (same total_key) the grand total;
// or, with Method::kRound5, rounds every value (margins independently) to
// the nearest multiple of 5, as Eurostat publishes asylum data; a value of
// 1 or 2, which would round to 0, is suppressed instead (never shown as 0).
#ifndef PUENTE_REGISTRY_DISCLOSURE_H_
#define PUENTE_REGISTRY_DISCLOSURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace puente::registry::stats {

inline constexpr int kDefaultThreshold = 5;

enum class Method { kSuppress, kRound5 };
std::string_view ToString(Method m);  // "suppress", "round5"

// Why a value is (not) shown.
enum class Mark {
  kPublished,  // the true value
  kRounded,    // rounded to base 5
  kPrimary,    // below the threshold
  kSensitive,  // a sensitive group below national level
  kSecondary,  // would let a suppressed value be recovered
};
std::string_view ToString(Mark m);  // "published", "rounded", "primary", ...

struct DisclosureRules {
  int threshold = kDefaultThreshold;  // >= 1
  Method method = Method::kSuppress;
  // Suppress the rows marked sensitive (a release below national level).
  bool suppress_sensitive_rows = false;
};

// The true counts of one table.
struct CountTable {
  int rows = 0;
  int cols = 1;                      // 1: a one-way table
  std::vector<int64_t> cells;        // rows * cols, row-major, each >= 0
  std::vector<bool> sensitive_rows;  // empty, or one per row
  // Tables with the same non-empty key have the same columns and the same
  // column totals and grand total (e.g. people by nationality x sex and by
  // age band x sex share the totals by sex).
  std::string margin_key;
  // Tables with the same non-empty key count the same population: they
  // share the grand total only (people by relationship and by office).
  std::string total_key;

  int64_t At(int r, int c) const { return cells[static_cast<size_t>(r) * cols + c]; }
};

struct PublishedValue {
  int64_t value = 0;  // the true value (kPublished), the rounded one (kRounded), else 0
  Mark mark = Mark::kPublished;
  bool shown() const { return mark == Mark::kPublished || mark == Mark::kRounded; }
};

// What may be published of a CountTable.
struct ProtectedTable {
  int rows = 0, cols = 1;
  std::vector<PublishedValue> cells;       // rows * cols, row-major
  std::vector<PublishedValue> row_totals;  // rows; empty for a one-way table
  std::vector<PublishedValue> col_totals;  // cols
  PublishedValue total;
};

// Protects every table of one release together (shared margins: see
// CountTable::margin_key). The result is in the order of `tables`.
// InvalidArgument for a threshold below 1, a negative count, a size that
// does not match rows * cols, or tables sharing a margin_key (total_key)
// whose column totals or grand totals (grand totals) differ.
absl::StatusOr<std::vector<ProtectedTable>> Protect(const std::vector<CountTable>& tables,
                                                    const DisclosureRules& rules);

// The values of `truth` that `published` hides but that can be worked out
// exactly from what it shows (suppress method): in the order cells,
// row_totals, col_totals, total; true where a hidden non-zero value is
// determined. Protect's output has none (a hidden 0 of a sensitive row may
// be determined: it names nobody).
std::vector<bool> Recoverable(const CountTable& truth, const ProtectedTable& published);

}  // namespace puente::registry::stats

#endif  // PUENTE_REGISTRY_DISCLOSURE_H_
