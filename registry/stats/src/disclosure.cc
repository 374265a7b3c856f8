#include "puente/registry/disclosure.h"

#include <algorithm>
#include <map>
#include <utility>

#include "puente/common/strings.h"

namespace puente::registry::stats {

std::string_view ToString(Method m) { return m == Method::kRound5 ? "round5" : "suppress"; }

std::string_view ToString(Mark m) {
  switch (m) {
    case Mark::kPublished:
      return "published";
    case Mark::kRounded:
      return "rounded";
    case Mark::kPrimary:
      return "primary";
    case Mark::kSensitive:
      return "sensitive";
    case Mark::kSecondary:
      return "secondary";
  }
  return "published";
}

namespace {

// One table as its flow network (disclosure.h): arcs in the order cells,
// row totals (two-way only), column totals (two-way only), grand total.
struct Network {
  int rows = 0, cols = 1, nodes = 2;
  std::vector<std::pair<int, int>> arcs;  // from, to

  Network(int r, int c) : rows(r), cols(c) {
    if (c == 1) {
      for (int i = 0; i < r; ++i) arcs.emplace_back(0, 1);
    } else {
      nodes = 2 + r + c;
      for (int i = 0; i < r; ++i) {
        for (int j = 0; j < c; ++j) arcs.emplace_back(2 + i, 2 + r + j);
      }
      for (int i = 0; i < r; ++i) arcs.emplace_back(0, 2 + i);
      for (int j = 0; j < c; ++j) arcs.emplace_back(2 + r + j, 1);
    }
    arcs.emplace_back(1, 0);
  }
  bool two_way() const { return cols > 1; }
  int cell(int i, int j) const { return i * cols + j; }
  int row_total(int i) const { return rows * cols + i; }
  int col_total(int j) const { return two_way() ? rows * cols + rows + j : total(); }
  int total() const { return static_cast<int>(arcs.size()) - 1; }
};

// The true values of a table's arcs.
std::vector<int64_t> ArcValues(const Network& n, const CountTable& t) {
  std::vector<int64_t> v(n.arcs.size(), 0);
  int64_t grand = 0;
  for (int i = 0; i < t.rows; ++i) {
    for (int j = 0; j < t.cols; ++j) {
      const int64_t x = t.At(i, j);
      v[n.cell(i, j)] = x;
      grand += x;
      if (n.two_way()) {
        v[n.row_total(i)] += x;
        v[n.col_total(j)] += x;
      }
    }
  }
  v[n.total()] = grand;
  return v;
}

// Whether hidden arc `a` can take another value in a non-negative integer
// table that agrees with every shown arc: a unit of flow can go round a
// cycle through `a` over hidden arcs (forward always; backward only where
// the value is at least 1).
bool CanVary(const Network& n, const std::vector<int64_t>& x, const std::vector<bool>& hidden,
             int a) {
  std::vector<std::vector<int>> next(n.nodes);
  for (int h = 0; h < static_cast<int>(n.arcs.size()); ++h) {
    if (!hidden[h] || h == a) continue;
    next[n.arcs[h].first].push_back(n.arcs[h].second);
    if (x[h] >= 1) next[n.arcs[h].second].push_back(n.arcs[h].first);
  }
  auto reaches = [&](int from, int to) {
    std::vector<bool> seen(n.nodes, false);
    std::vector<int> todo{from};
    seen[from] = true;
    while (!todo.empty()) {
      const int u = todo.back();
      todo.pop_back();
      if (u == to) return true;
      for (int w : next[u]) {
        if (!seen[w]) {
          seen[w] = true;
          todo.push_back(w);
        }
      }
    }
    return false;
  };
  const auto [u, v] = n.arcs[a];
  if (reaches(v, u)) return true;     // one more along a, one less around
  return x[a] >= 1 && reaches(u, v);  // one less along a
}

// One table while it is being protected.
struct Work {
  Network net;
  std::vector<int64_t> x;
  std::vector<Mark> mark;
  bool hidden(int a) const { return mark[a] != Mark::kPublished && mark[a] != Mark::kRounded; }
  std::vector<bool> Hidden() const {
    std::vector<bool> h(x.size());
    for (size_t a = 0; a < x.size(); ++a) h[a] = hidden(static_cast<int>(a));
    return h;
  }
};

// Hides the smallest non-zero shown arc among `candidates` (the lowest
// index among equals: cells before margins); false if there is none.
bool HideSmallest(Work& w, const std::vector<int>& candidates) {
  int best = -1;
  for (int a : candidates) {
    if (w.hidden(a) || w.x[a] == 0) continue;
    if (best < 0 || w.x[a] < w.x[best]) best = a;
  }
  if (best < 0) return false;
  w.mark[best] = Mark::kSecondary;
  return true;
}

// One pass of secondary suppression over one table; true if it hid anything.
bool SecondaryPass(Work& w) {
  const Network& n = w.net;
  std::vector<std::vector<int>> incident(n.nodes);
  for (int a = 0; a < static_cast<int>(n.arcs.size()); ++a) {
    incident[n.arcs[a].first].push_back(a);
    incident[n.arcs[a].second].push_back(a);
  }
  bool changed = false;
  // Each relation with exactly one hidden value would give it away.
  for (int node = 0; node < n.nodes; ++node) {
    int hidden = 0;
    for (int a : incident[node]) hidden += w.hidden(a) ? 1 : 0;
    if (hidden == 1 && HideSmallest(w, incident[node])) changed = true;
  }
  if (changed) return true;
  // Then what the relations taken together still determine.
  const std::vector<bool> h = w.Hidden();
  for (int a = 0; a < static_cast<int>(n.arcs.size()); ++a) {
    if (!h[a] || w.x[a] == 0 || CanVary(n, w.x, h, a)) continue;
    std::vector<int> beside = incident[n.arcs[a].first];
    for (int b : incident[n.arcs[a].second]) beside.push_back(b);
    if (HideSmallest(w, beside)) return true;
    std::vector<int> all(n.arcs.size());
    for (size_t b = 0; b < all.size(); ++b) all[b] = static_cast<int>(b);
    if (HideSmallest(w, all)) return true;
  }
  return false;
}

ProtectedTable Publish(const Work& w) {
  const Network& n = w.net;
  ProtectedTable p;
  p.rows = n.rows;
  p.cols = n.cols;
  auto value = [&](int a) {
    PublishedValue v;
    v.mark = w.mark[a];
    if (w.mark[a] == Mark::kPublished) v.value = w.x[a];
    if (w.mark[a] == Mark::kRounded) v.value = (w.x[a] + 2) / 5 * 5;
    return v;
  };
  for (int i = 0; i < n.rows; ++i) {
    for (int j = 0; j < n.cols; ++j) p.cells.push_back(value(n.cell(i, j)));
  }
  if (n.two_way()) {
    for (int i = 0; i < n.rows; ++i) p.row_totals.push_back(value(n.row_total(i)));
  }
  for (int j = 0; j < n.cols; ++j) p.col_totals.push_back(value(n.col_total(j)));
  p.total = value(n.total());
  return p;
}

absl::Status Check(const CountTable& t) {
  if (t.rows < 0 || t.cols < 1 || t.cells.size() != static_cast<size_t>(t.rows) * t.cols) {
    return absl::InvalidArgumentError(
        puente::StrCat("table: ", t.cells.size(), " cells for ", t.rows, " x ", t.cols));
  }
  if (!t.sensitive_rows.empty() && t.sensitive_rows.size() != static_cast<size_t>(t.rows)) {
    return absl::InvalidArgumentError("table: sensitive_rows must have one entry per row");
  }
  for (int64_t c : t.cells) {
    if (c < 0) return absl::InvalidArgumentError("table: a count is negative");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ProtectedTable>> Protect(const std::vector<CountTable>& tables,
                                                    const DisclosureRules& rules) {
  if (rules.threshold < 1) {
    return absl::InvalidArgumentError("threshold: must be at least 1");
  }
  std::vector<Work> work;
  work.reserve(tables.size());
  for (const CountTable& t : tables) {
    if (absl::Status s = Check(t); !s.ok()) return s;
    Work w{Network(t.rows, t.cols), {}, {}};
    w.x = ArcValues(w.net, t);
    w.mark.assign(w.x.size(), Mark::kPublished);
    work.push_back(std::move(w));
  }
  // Tables sharing margins, by key.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t k = 0; k < tables.size(); ++k) {
    if (!tables[k].margin_key.empty()) groups[tables[k].margin_key].push_back(k);
  }
  std::map<std::string, std::vector<size_t>> populations;
  for (size_t k = 0; k < tables.size(); ++k) {
    if (!tables[k].total_key.empty()) populations[tables[k].total_key].push_back(k);
  }
  for (const auto& [key, members] : populations) {
    for (size_t k : members) {
      if (work[k].x[work[k].net.total()] !=
          work[members.front()].x[work[members.front()].net.total()]) {
        return absl::InvalidArgumentError(
            puente::StrCat("tables counting population ", key, " have different totals"));
      }
    }
  }
  for (const auto& [key, members] : groups) {
    const Work& first = work[members.front()];
    for (size_t k : members) {
      const Work& w = work[k];
      bool same = w.net.cols == first.net.cols && w.x[w.net.total()] == first.x[first.net.total()];
      for (int j = 0; same && j < w.net.cols; ++j) {
        same = w.x[w.net.col_total(j)] == first.x[first.net.col_total(j)];
      }
      if (!same) {
        return absl::InvalidArgumentError(
            puente::StrCat("tables sharing margin ", key, " have different margins"));
      }
    }
  }

  for (size_t k = 0; k < tables.size(); ++k) {
    Work& w = work[k];
    const CountTable& t = tables[k];
    for (size_t a = 0; a < w.x.size(); ++a) {
      if (w.x[a] >= 1 && w.x[a] < rules.threshold) w.mark[a] = Mark::kPrimary;
    }
    if (rules.suppress_sensitive_rows && !t.sensitive_rows.empty()) {
      for (int i = 0; i < t.rows; ++i) {
        if (!t.sensitive_rows[i]) continue;
        for (int j = 0; j < t.cols; ++j) w.mark[w.net.cell(i, j)] = Mark::kSensitive;
        if (w.net.two_way()) w.mark[w.net.row_total(i)] = Mark::kSensitive;
      }
    }
  }

  if (rules.method == Method::kRound5) {
    // Every value rounded on its own; 1 and 2 hidden (never shown as 0).
    for (Work& w : work) {
      for (size_t a = 0; a < w.x.size(); ++a) {
        if (w.mark[a] == Mark::kSensitive) continue;
        w.mark[a] = (w.x[a] >= 1 && w.x[a] <= 2) ? Mark::kPrimary : Mark::kRounded;
      }
    }
  } else {
    for (bool changed = true; changed;) {
      changed = false;
      for (Work& w : work) {
        while (SecondaryPass(w)) changed = true;
      }
      for (const auto& [key, members] : groups) {
        const int cols = work[members.front()].net.cols;
        std::vector<int> shared;  // column totals, then the grand total, by position
        for (int j = 0; j < cols; ++j) shared.push_back(j);
        shared.push_back(cols);
        for (int s : shared) {
          auto arc = [&](const Work& w) { return s < cols ? w.net.col_total(s) : w.net.total(); };
          bool any = false;
          for (size_t k : members) any = any || work[k].hidden(arc(work[k]));
          if (!any) continue;
          for (size_t k : members) {
            Work& w = work[k];
            if (!w.hidden(arc(w))) {
              w.mark[arc(w)] = Mark::kSecondary;
              changed = true;
            }
          }
        }
      }
      for (const auto& [key, members] : populations) {
        bool any = false;
        for (size_t k : members) any = any || work[k].hidden(work[k].net.total());
        if (!any) continue;
        for (size_t k : members) {
          Work& w = work[k];
          if (!w.hidden(w.net.total())) {
            w.mark[w.net.total()] = Mark::kSecondary;
            changed = true;
          }
        }
      }
    }
  }

  std::vector<ProtectedTable> out;
  out.reserve(work.size());
  for (const Work& w : work) out.push_back(Publish(w));
  return out;
}

std::vector<bool> Recoverable(const CountTable& truth, const ProtectedTable& published) {
  const Network n(truth.rows, truth.cols);
  const std::vector<int64_t> x = ArcValues(n, truth);
  std::vector<bool> hidden(x.size(), false);
  // Flat order: cells, row totals, column totals, total; as arcs.
  std::vector<std::pair<int, const PublishedValue*>> flat;
  for (int i = 0; i < n.rows; ++i) {
    for (int j = 0; j < n.cols; ++j) {
      flat.emplace_back(n.cell(i, j), &published.cells[static_cast<size_t>(i) * n.cols + j]);
    }
  }
  for (int i = 0; i < static_cast<int>(published.row_totals.size()); ++i) {
    flat.emplace_back(n.row_total(i), &published.row_totals[i]);
  }
  for (int j = 0; j < static_cast<int>(published.col_totals.size()); ++j) {
    flat.emplace_back(n.col_total(j), &published.col_totals[j]);
  }
  flat.emplace_back(n.total(), &published.total);
  for (const auto& [arc, v] : flat) {
    if (!v->shown()) hidden[arc] = true;
  }
  std::vector<bool> out;
  out.reserve(flat.size());
  for (const auto& [arc, v] : flat) {
    out.push_back(hidden[arc] && x[arc] != 0 && !CanVary(n, x, hidden, arc));
  }
  return out;
}

}  // namespace puente::registry::stats
