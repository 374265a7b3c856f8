// Disclosure control as properties over random tables (fixed seeds, many
// iterations): no published value is below the threshold, every published
// value is the true one, and no hidden value can be worked out from what is
// published — checked by Recoverable (cycles in the table's network) and,
// independently, by enumerating every table that agrees with the published
// values for small tables.
#include "puente/registry/disclosure.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

namespace puente::registry::stats {
namespace {

// A random table: mostly small counts (what suppression is for), some zeros
// and a few large ones.
CountTable RandomTable(std::mt19937& rng, int max_rows, int max_cols, int max_value) {
  CountTable t;
  t.rows = std::uniform_int_distribution<int>(1, max_rows)(rng);
  t.cols = std::uniform_int_distribution<int>(1, max_cols)(rng);
  std::uniform_int_distribution<int> kind(0, 9), small(0, 6), large(0, max_value);
  for (int i = 0; i < t.rows * t.cols; ++i) {
    const int k = kind(rng);
    t.cells.push_back(k < 2 ? 0 : k < 7 ? small(rng) : large(rng));
  }
  return t;
}

// Every published value of `p` with the true value of `t`, flat: cells,
// row totals, column totals, total.
struct Flat {
  std::vector<int64_t> truth;
  std::vector<PublishedValue> published;
};
Flat Flatten(const CountTable& t, const ProtectedTable& p) {
  Flat f;
  std::vector<int64_t> rows(t.rows, 0), cols(t.cols, 0);
  int64_t total = 0;
  for (int i = 0; i < t.rows; ++i) {
    for (int j = 0; j < t.cols; ++j) {
      rows[i] += t.At(i, j);
      cols[j] += t.At(i, j);
      total += t.At(i, j);
      f.truth.push_back(t.At(i, j));
    }
  }
  f.published = p.cells;
  if (!p.row_totals.empty()) {
    f.truth.insert(f.truth.end(), rows.begin(), rows.end());
    f.published.insert(f.published.end(), p.row_totals.begin(), p.row_totals.end());
  }
  if (t.cols > 1) {
    f.truth.insert(f.truth.end(), cols.begin(), cols.end());
  } else {
    f.truth.push_back(total);
  }
  f.published.insert(f.published.end(), p.col_totals.begin(), p.col_totals.end());
  f.truth.push_back(total);
  f.published.push_back(p.total);
  return f;
}

void ExpectSafe(const CountTable& t, const ProtectedTable& p, int threshold) {
  const Flat f = Flatten(t, p);
  ASSERT_EQ(f.truth.size(), f.published.size());
  for (size_t k = 0; k < f.truth.size(); ++k) {
    const PublishedValue& v = f.published[k];
    if (v.shown()) {
      EXPECT_EQ(v.mark, Mark::kPublished);
      EXPECT_EQ(v.value, f.truth[k]) << "value " << k;
      EXPECT_TRUE(v.value == 0 || v.value >= threshold) << "published " << v.value << " at " << k;
    } else {
      EXPECT_EQ(v.value, 0) << "a hidden value carries no number";
    }
    if (f.truth[k] >= 1 && f.truth[k] < threshold) {
      EXPECT_FALSE(v.shown()) << "small value " << f.truth[k] << " at " << k;
    }
  }
  const std::vector<bool> rec = Recoverable(t, p);
  for (size_t k = 0; k < rec.size(); ++k) {
    EXPECT_FALSE(rec[k]) << "hidden value " << f.truth[k] << " at " << k << " is determined";
  }
}

TEST(DisclosureTest, NoPublishedValueIsSmallAndNoHiddenValueIsDetermined) {
  std::mt19937 rng(18);
  for (int iter = 0; iter < 3000; ++iter) {
    const CountTable t = RandomTable(rng, 8, 6, 60);
    const int threshold = std::uniform_int_distribution<int>(2, 10)(rng);
    auto p = Protect({t}, {threshold, Method::kSuppress, false});
    ASSERT_TRUE(p.ok()) << p.status();
    SCOPED_TRACE(::testing::Message() << "iteration " << iter << ", " << t.rows << " x " << t.cols
                                      << ", threshold " << threshold);
    ExpectSafe(t, (*p)[0], threshold);
    if (HasFailure()) return;
  }
}

// Every way of filling the hidden cells with non-negative integers that
// agrees with the published cells and margins: the values each hidden
// position (flat order) takes. Cells range over [0, true + 1], enough to see
// a second value if there is one (a unit moved round a cycle).
std::vector<std::set<int64_t>> EnumerateConsistent(const CountTable& t, const ProtectedTable& p,
                                                   long long* tables_tried) {
  const Flat f = Flatten(t, p);
  std::vector<int> hidden;
  for (int k = 0; k < t.rows * t.cols; ++k) {
    if (!f.published[k].shown()) hidden.push_back(k);
  }
  std::vector<std::set<int64_t>> seen(f.truth.size());
  CountTable trial = t;
  std::function<void(size_t)> fill = [&](size_t h) {
    if (h == hidden.size()) {
      ++*tables_tried;
      CountTable copy = trial;
      ProtectedTable everything;
      everything.rows = t.rows;
      everything.cols = t.cols;
      everything.cells.resize(t.cells.size());
      if (!p.row_totals.empty()) everything.row_totals.resize(t.rows);
      everything.col_totals.resize(t.cols);
      const Flat g = Flatten(copy, everything);
      for (size_t k = 0; k < g.truth.size(); ++k) {
        if (f.published[k].shown() && f.published[k].value != g.truth[k]) return;
      }
      for (size_t k = 0; k < g.truth.size(); ++k) {
        if (!f.published[k].shown()) seen[k].insert(g.truth[k]);
      }
      return;
    }
    const int k = hidden[h];
    for (int64_t v = 0; v <= t.cells[k] + 1; ++v) {
      trial.cells[k] = v;
      fill(h + 1);
    }
    trial.cells[k] = t.cells[k];
  };
  fill(0);
  return seen;
}

TEST(DisclosureTest, EveryHiddenValueHasAnotherConsistentValueByEnumeration) {
  std::mt19937 rng(169);
  int checked = 0;
  for (int iter = 0; iter < 4000 && checked < 400; ++iter) {
    const CountTable t = RandomTable(rng, 3, 3, 12);
    auto p = Protect({t}, {5, Method::kSuppress, false});
    ASSERT_TRUE(p.ok());
    double work = 1;
    for (size_t k = 0; k < t.cells.size(); ++k) {
      if (!(*p)[0].cells[k].shown()) work *= static_cast<double>(t.cells[k] + 2);
    }
    if (work > 2e5) continue;
    ++checked;
    long long tried = 0;
    const std::vector<std::set<int64_t>> seen = EnumerateConsistent(t, (*p)[0], &tried);
    const Flat f = Flatten(t, (*p)[0]);
    for (size_t k = 0; k < f.truth.size(); ++k) {
      if (f.published[k].shown() || f.truth[k] == 0) continue;
      EXPECT_TRUE(seen[k].count(f.truth[k])) << "the truth is consistent";
      EXPECT_GE(seen[k].size(), 2u) << "iteration " << iter << ": hidden value " << f.truth[k]
                                    << " at " << k << " is the only one consistent";
    }
    if (HasFailure()) return;
  }
  EXPECT_GE(checked, 400);
}

// The enumeration agrees with Recoverable on tables where Recoverable finds
// something to recover (primary suppression alone): both methods see the
// same determined values.
TEST(DisclosureTest, RecoverableAgreesWithEnumerationOnPrimarySuppressionAlone) {
  std::mt19937 rng(2026);
  int determined = 0, checked = 0;
  for (int iter = 0; iter < 3000 && checked < 300; ++iter) {
    const CountTable t = RandomTable(rng, 3, 3, 12);
    // Primary suppression only, by hand.
    ProtectedTable p;
    p.rows = t.rows;
    p.cols = t.cols;
    auto mark = [](int64_t v) {
      PublishedValue x;
      if (v >= 1 && v < 5) {
        x.mark = Mark::kPrimary;
      } else {
        x.value = v;
      }
      return x;
    };
    std::vector<int64_t> rows(t.rows, 0), cols(t.cols, 0);
    int64_t total = 0;
    double work = 1;
    for (int i = 0; i < t.rows; ++i) {
      for (int j = 0; j < t.cols; ++j) {
        p.cells.push_back(mark(t.At(i, j)));
        if (!p.cells.back().shown()) work *= static_cast<double>(t.At(i, j) + 2);
        rows[i] += t.At(i, j);
        cols[j] += t.At(i, j);
        total += t.At(i, j);
      }
    }
    if (work > 2e5) continue;
    ++checked;
    if (t.cols > 1) {
      for (int64_t r : rows) p.row_totals.push_back(mark(r));
      for (int64_t c : cols) p.col_totals.push_back(mark(c));
    } else {
      p.col_totals.push_back(mark(total));
    }
    p.total = mark(total);
    long long tried = 0;
    const std::vector<std::set<int64_t>> seen = EnumerateConsistent(t, p, &tried);
    const std::vector<bool> rec = Recoverable(t, p);
    const Flat f = Flatten(t, p);
    for (size_t k = 0; k < f.truth.size(); ++k) {
      if (f.published[k].shown() || f.truth[k] == 0) continue;
      EXPECT_EQ(rec[k], seen[k].size() == 1) << "iteration " << iter << " position " << k;
      determined += rec[k] ? 1 : 0;
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(determined, 50) << "primary suppression alone leaks: the test has teeth";
}

TEST(DisclosureTest, TablesSharingMarginsHideTheSameMarginValues) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 1000; ++iter) {
    // People by nationality x sex x age band, published as two tables that
    // share the totals by sex.
    const int nat = std::uniform_int_distribution<int>(1, 5)(rng);
    const int age = std::uniform_int_distribution<int>(1, 6)(rng);
    const int sex = 3;
    std::uniform_int_distribution<int> small(0, 4), kind(0, 9);
    std::vector<int64_t> micro(static_cast<size_t>(nat) * age * sex);
    for (auto& v : micro) v = kind(rng) < 3 ? 0 : small(rng) + (kind(rng) < 2 ? 20 : 0);
    CountTable a, b;
    a.rows = nat;
    b.rows = age;
    a.cols = b.cols = sex;
    a.cells.assign(static_cast<size_t>(nat) * sex, 0);
    b.cells.assign(static_cast<size_t>(age) * sex, 0);
    for (int n = 0; n < nat; ++n) {
      for (int g = 0; g < age; ++g) {
        for (int s = 0; s < sex; ++s) {
          const int64_t v = micro[(static_cast<size_t>(n) * age + g) * sex + s];
          a.cells[static_cast<size_t>(n) * sex + s] += v;
          b.cells[static_cast<size_t>(g) * sex + s] += v;
        }
      }
    }
    a.margin_key = b.margin_key = "people_by_sex";
    auto p = Protect({a, b}, {5, Method::kSuppress, false});
    ASSERT_TRUE(p.ok()) << p.status();
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    ExpectSafe(a, (*p)[0], 5);
    ExpectSafe(b, (*p)[1], 5);
    for (int s = 0; s < sex; ++s) {
      EXPECT_EQ((*p)[0].col_totals[s].shown(), (*p)[1].col_totals[s].shown());
      if ((*p)[0].col_totals[s].shown()) {
        EXPECT_EQ((*p)[0].col_totals[s].value, (*p)[1].col_totals[s].value);
      }
    }
    EXPECT_EQ((*p)[0].total.shown(), (*p)[1].total.shown());
    if (HasFailure()) return;
  }
}

TEST(DisclosureTest, TablesOfOnePopulationHideTheSameGrandTotal) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 1000; ++iter) {
    // Births by province and by risk: one-way tables of the same births.
    const int provinces = std::uniform_int_distribution<int>(1, 6)(rng);
    CountTable province, risk;
    province.rows = provinces;
    risk.rows = 2;
    province.cells.assign(provinces, 0);
    risk.cells.assign(2, 0);
    const int births = std::uniform_int_distribution<int>(0, 30)(rng);
    for (int b = 0; b < births; ++b) {
      ++province.cells[std::uniform_int_distribution<int>(0, provinces - 1)(rng)];
      ++risk.cells[std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 1 : 0];
    }
    province.total_key = risk.total_key = "births";
    auto p = Protect({province, risk}, {5, Method::kSuppress, false});
    ASSERT_TRUE(p.ok()) << p.status();
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    ExpectSafe(province, (*p)[0], 5);
    ExpectSafe(risk, (*p)[1], 5);
    EXPECT_EQ((*p)[0].total.shown(), (*p)[1].total.shown());
    if (HasFailure()) return;
  }
  CountTable a{1, 1, {3}, {}, "", "x"}, b{2, 1, {2, 2}, {}, "", "x"};
  EXPECT_EQ(Protect({a, b}, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DisclosureTest, SensitiveRowsAreHiddenBelowNationalLevelAndCannotBeWorkedOut) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 1000; ++iter) {
    CountTable t = RandomTable(rng, 6, 4, 40);
    t.sensitive_rows.assign(t.rows, false);
    t.sensitive_rows[std::uniform_int_distribution<int>(0, t.rows - 1)(rng)] = true;
    auto national = Protect({t}, {5, Method::kSuppress, false});
    auto office = Protect({t}, {5, Method::kSuppress, true});
    ASSERT_TRUE(national.ok() && office.ok());
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    ExpectSafe(t, (*office)[0], 5);
    for (int i = 0; i < t.rows; ++i) {
      for (int j = 0; j < t.cols; ++j) {
        const PublishedValue& v = (*office)[0].cells[static_cast<size_t>(i) * t.cols + j];
        if (t.sensitive_rows[i]) {
          EXPECT_EQ(v.mark, Mark::kSensitive);
        }
        const PublishedValue& n = (*national)[0].cells[static_cast<size_t>(i) * t.cols + j];
        if (t.At(i, j) >= 5 && n.mark == Mark::kPublished) {
          EXPECT_EQ(n.value, t.At(i, j)) << "national releases show the group";
        }
      }
    }
    if (HasFailure()) return;
  }
}

TEST(DisclosureTest, RoundingToBase5NeverShowsASmallValueOrAZeroForOne) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 1000; ++iter) {
    const CountTable t = RandomTable(rng, 6, 5, 80);
    auto p = Protect({t}, {5, Method::kRound5, false});
    ASSERT_TRUE(p.ok());
    const Flat f = Flatten(t, (*p)[0]);
    for (size_t k = 0; k < f.truth.size(); ++k) {
      const PublishedValue& v = f.published[k];
      if (f.truth[k] == 1 || f.truth[k] == 2) {
        EXPECT_EQ(v.mark, Mark::kPrimary);
        continue;
      }
      ASSERT_EQ(v.mark, Mark::kRounded);
      EXPECT_EQ(v.value % 5, 0);
      EXPECT_LE(std::abs(v.value - f.truth[k]), 2);
      EXPECT_EQ(v.value == 0, f.truth[k] == 0);
    }
    if (HasFailure()) return;
  }
}

TEST(DisclosureTest, ThresholdOnePublishesEverythingAsIs) {
  const CountTable t{2, 2, {1, 0, 3, 4}};
  auto p = Protect({t}, {1, Method::kSuppress, false});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)[0].cells[0].value, 1);
  EXPECT_EQ((*p)[0].row_totals[1].value, 7);
  EXPECT_EQ((*p)[0].col_totals[0].value, 4);
  EXPECT_EQ((*p)[0].total.value, 8);
  for (const auto& v : (*p)[0].cells) EXPECT_EQ(v.mark, Mark::kPublished);
}

TEST(DisclosureTest, AHandWorkedTable) {
  // 2 x 2 with one small cell: its row, its column and the cell diagonal to
  // it go too (the classic rectangle), leaving 4 hidden cells each free to
  // move one unit round it.
  //        F   M | total
  //  VEN  12   3 |  15
  //  COL   8  10 |  18
  const CountTable t{2, 2, {12, 3, 8, 10}};
  auto p = Protect({t}, {5, Method::kSuppress, false});
  ASSERT_TRUE(p.ok());
  const ProtectedTable& r = (*p)[0];
  EXPECT_EQ(r.cells[1].mark, Mark::kPrimary);
  int hidden = 0;
  for (const auto& v : r.cells) hidden += v.shown() ? 0 : 1;
  EXPECT_EQ(hidden, 4);
  EXPECT_TRUE(r.row_totals[0].shown() && r.row_totals[1].shown());
  EXPECT_TRUE(r.col_totals[0].shown() && r.col_totals[1].shown() && r.total.shown());
  ExpectSafe(t, r, 5);
}

TEST(DisclosureTest, RefusesBadInput) {
  EXPECT_EQ(Protect({CountTable{1, 1, {3}}}, {0, Method::kSuppress, false}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Protect({CountTable{2, 2, {1, 2, 3}}}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Protect({CountTable{1, 1, {-1}}}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  CountTable a{1, 2, {5, 6}, {}, "k"}, b{1, 2, {6, 5}, {}, "k"};
  EXPECT_EQ(Protect({a, b}, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace puente::registry::stats
