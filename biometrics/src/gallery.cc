#include "puente/biometrics/gallery.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <queue>
#include <thread>

#include "absl/status/status.h"
#include "puente/common/strings.h"
#include "src/dot_kernels.h"

namespace puente::biometrics {
namespace {

using internal::BestKernel;
using internal::PreparedProbe;

// Float rounding in the bound arithmetic is far below this.
constexpr float kSlack = 1e-5f;
constexpr size_t kChunk = 512;  // rows scored per kernel call (scores stay in L1)

struct ProbeBuffers {
  std::vector<int8_t> q;
  std::vector<uint8_t> abs_q, off_q;
  float scale = 0;
  float err = 0;  // |probe - dequantised probe|
  PreparedProbe view() const { return {q.data(), abs_q.data(), off_q.data()}; }
};

// Fills the kernels' derived forms of p.q (|q| and q + 128).
void DeriveKernelForms(ProbeBuffers& p) {
  const size_t dim_padded = p.q.size();
  p.abs_q.resize(dim_padded);
  p.off_q.resize(dim_padded);
  for (size_t i = 0; i < dim_padded; ++i) {
    p.abs_q[i] = static_cast<uint8_t>(std::abs(p.q[i]));
    p.off_q[i] = static_cast<uint8_t>(p.q[i] + 128);
  }
}

ProbeBuffers Prepare(std::span<const float> v, size_t dim_padded) {
  ProbeBuffers p;
  p.q.assign(dim_padded, 0);
  p.scale = QuantizeInt8(v, std::span<int8_t>(p.q.data(), v.size()));
  double e2 = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double d = double(v[i]) - double(p.q[i]) * p.scale;
    e2 += d * d;
  }
  p.err = static_cast<float>(std::sqrt(e2));
  DeriveKernelForms(p);
  return p;
}

struct Candidate {
  uint32_t slot;
  float upper;
};

// Top-k lower bounds (min-heap) and the rows that may still make the top k.
struct ScanState {
  explicit ScanState(int k) : k(static_cast<size_t>(k)) {}
  size_t k;
  std::priority_queue<float, std::vector<float>, std::greater<float>> lows;
  std::vector<Candidate> cands;
  float tau() const { return lows.size() < k ? -INFINITY : lows.top(); }
  void Offer(uint32_t slot, float lower, float upper) {
    if (upper < tau()) return;
    cands.push_back({slot, upper});
    if (lows.size() < k) {
      lows.push(lower);
    } else if (lower > lows.top()) {
      lows.pop();
      lows.push(lower);
    }
    if (cands.size() > 8 * k + 4096) Compact();
  }
  void Compact() {
    const float t = tau();
    std::erase_if(cands, [t](const Candidate& c) { return c.upper < t; });
  }
};

size_t PadTo64(size_t d) { return (d + 63) / 64 * 64; }

}  // namespace

FaceGallery::FaceGallery(std::string model_id, int model_version, int dimension,
                         GalleryOptions options)
    : model_id_(std::move(model_id)),
      model_version_(model_version),
      dim_(static_cast<size_t>(dimension)),
      dim_padded_(PadTo64(static_cast<size_t>(dimension))),
      options_(options) {
  if (options_.threads <= 0) {
    options_.threads = std::max(1u, std::thread::hardware_concurrency());
  }
}

std::shared_lock<std::shared_mutex> FaceGallery::ReadLock() const {
  { std::lock_guard pass(turnstile_); }
  return std::shared_lock(mu_);
}

std::unique_lock<std::shared_mutex> FaceGallery::WriteLock() const {
  std::lock_guard hold(turnstile_);
  return std::unique_lock(mu_);
}

std::string_view FaceGallery::KernelName() { return BestKernel().name; }

void FaceGallery::WriteRowUnlocked(size_t slot, std::span<const float> unit,
                                   const FaceTemplate* t) {
  int8_t* code = codes_.data() + slot * dim_padded_;
  std::fill(code, code + dim_padded_, 0);
  float scale;
  std::vector<float> original;  // the float vector the ranking is exact against
  if (t != nullptr && t->quantization() == Quantization::kInt8) {
    std::copy(t->int8_values().begin(), t->int8_values().end(), code);
    scale = t->int8_scale();
    original = t->ToFloat();
  } else {
    scale = QuantizeInt8(unit, std::span<int8_t>(code, dim_));
    original.assign(unit.begin(), unit.end());
  }
  int32_t sum = 0;
  double err2 = 0, qn2 = 0;
  for (size_t i = 0; i < dim_; ++i) {
    sum += code[i];
    const double deq = double(code[i]) * scale;
    err2 += (original[i] - deq) * (original[i] - deq);
    qn2 += deq * deq;
  }
  row_sums_[slot] = sum;
  if (options_.keep_float) {
    // Target: dot(probe, original) with |original| = 1.
    mult_[slot] = scale;
    err_[slot] = static_cast<float>(std::sqrt(err2));
    qnorm_[slot] = static_cast<float>(std::sqrt(qn2));
    std::copy(original.begin(), original.end(), floats_.begin() + slot * dim_);
  } else {
    // Target: cosine with the dequantised row itself.
    const float qn = static_cast<float>(std::sqrt(qn2));
    mult_[slot] = scale / qn;
    err_[slot] = 0;
    qnorm_[slot] = 1;
  }
}

void FaceGallery::AppendUnlocked(const std::string& id, std::span<const float> unit,
                                 const FaceTemplate* t) {
  const size_t slot = ids_.size();
  ids_.push_back(id);
  slots_[id] = static_cast<uint32_t>(slot);
  codes_.resize((slot + 1) * dim_padded_);
  row_sums_.push_back(0);
  mult_.push_back(0);
  err_.push_back(0);
  qnorm_.push_back(0);
  if (options_.keep_float) floats_.resize((slot + 1) * dim_);
  WriteRowUnlocked(slot, unit, t);
}

absl::Status FaceGallery::Upsert(const std::string& subject_id, const FaceTemplate& t) {
  if (t.model_id() != model_id_ || t.model_version() != model_version_ ||
      static_cast<size_t>(t.dimension()) != dim_) {
    return absl::FailedPreconditionError(StrCat("gallery holds ", model_id_, " v", model_version_,
                                                " templates; got ", t.model_id(), " v",
                                                t.model_version()));
  }
  const std::vector<float> unit = t.ToFloat();
  auto lock = WriteLock();
  if (auto it = slots_.find(subject_id); it != slots_.end()) {
    WriteRowUnlocked(it->second, unit, &t);
  } else {
    AppendUnlocked(subject_id, unit, &t);
  }
  return absl::OkStatus();
}

absl::Status FaceGallery::AddBatch(std::span<const std::string> ids,
                                   std::span<const float> unit_vectors) {
  if (unit_vectors.size() != ids.size() * dim_) {
    return absl::InvalidArgumentError("AddBatch: vectors do not match ids x dimension");
  }
  auto lock = WriteLock();
  for (const std::string& id : ids) {
    if (slots_.count(id)) return absl::AlreadyExistsError(StrCat("subject ", id, " exists"));
  }
  codes_.reserve((ids_.size() + ids.size()) * dim_padded_);
  if (options_.keep_float) floats_.reserve((ids_.size() + ids.size()) * dim_);
  for (size_t i = 0; i < ids.size(); ++i) {
    AppendUnlocked(ids[i], unit_vectors.subspan(i * dim_, dim_), nullptr);
  }
  return absl::OkStatus();
}

bool FaceGallery::Remove(const std::string& subject_id) {
  auto lock = WriteLock();
  auto it = slots_.find(subject_id);
  if (it == slots_.end()) return false;
  const size_t slot = it->second, last = ids_.size() - 1;
  slots_.erase(it);
  if (slot != last) {  // move the last row into the hole
    std::copy_n(codes_.begin() + last * dim_padded_, dim_padded_,
                codes_.begin() + slot * dim_padded_);
    if (options_.keep_float) {
      std::copy_n(floats_.begin() + last * dim_, dim_, floats_.begin() + slot * dim_);
    }
    row_sums_[slot] = row_sums_[last];
    mult_[slot] = mult_[last];
    err_[slot] = err_[last];
    qnorm_[slot] = qnorm_[last];
    ids_[slot] = std::move(ids_[last]);
    slots_[ids_[slot]] = static_cast<uint32_t>(slot);
  }
  ids_.pop_back();
  codes_.resize(last * dim_padded_);
  row_sums_.pop_back();
  mult_.pop_back();
  err_.pop_back();
  qnorm_.pop_back();
  if (options_.keep_float) floats_.resize(last * dim_);
  return true;
}

void FaceGallery::Reserve(size_t n) {
  auto lock = WriteLock();
  codes_.reserve(n * dim_padded_);
  row_sums_.reserve(n);
  mult_.reserve(n);
  err_.reserve(n);
  qnorm_.reserve(n);
  if (options_.keep_float) floats_.reserve(n * dim_);
  ids_.reserve(n);
  slots_.reserve(n);
}

size_t FaceGallery::size() const {
  auto lock = ReadLock();
  return ids_.size();
}

size_t FaceGallery::BytesPerTemplate() const {
  return dim_padded_ + 4 * sizeof(float) + (options_.keep_float ? dim_ * sizeof(float) : 0);
}

size_t FaceGallery::TemplateBytes() const { return size() * BytesPerTemplate(); }

float FaceGallery::ExactScore(size_t slot, std::span<const float> probe) const {
  if (options_.keep_float) {
    const float* g = floats_.data() + slot * dim_;
    double acc = 0;
    for (size_t i = 0; i < dim_; ++i) acc += double(probe[i]) * g[i];
    return static_cast<float>(acc);
  }
  const int8_t* code = codes_.data() + slot * dim_padded_;
  double acc = 0;
  for (size_t i = 0; i < dim_; ++i) acc += double(probe[i]) * code[i];
  return static_cast<float>(acc * mult_[slot]);
}

absl::StatusOr<std::vector<Match>> FaceGallery::Search(const FaceTemplate& probe, int k) const {
  if (probe.model_id() != model_id_ || probe.model_version() != model_version_ ||
      static_cast<size_t>(probe.dimension()) != dim_) {
    return absl::FailedPreconditionError(
        StrCat("probe is a ", probe.model_id(), " v", probe.model_version(),
               " template; the gallery holds ", model_id_, " v", model_version_));
  }
  if (k < 1) return absl::InvalidArgumentError("k must be at least 1");
  const std::vector<float> v = probe.ToFloat();
  return SearchVector(v, k);
}

absl::StatusOr<std::vector<Match>> FaceGallery::ScoresOf(
    const FaceTemplate& probe, std::span<const std::string> subject_ids) const {
  if (probe.model_id() != model_id_ || probe.model_version() != model_version_ ||
      static_cast<size_t>(probe.dimension()) != dim_) {
    return absl::FailedPreconditionError(
        StrCat("probe is a ", probe.model_id(), " v", probe.model_version(),
               " template; the gallery holds ", model_id_, " v", model_version_));
  }
  const std::vector<float> v = probe.ToFloat();
  std::vector<Match> out;
  auto lock = ReadLock();
  for (const std::string& id : subject_ids) {
    auto it = slots_.find(id);
    if (it != slots_.end()) out.push_back({id, ExactScore(it->second, v)});
  }
  return out;
}

std::vector<Match> FaceGallery::SearchVector(std::span<const float> unit_probe, int k) const {
  const ProbeBuffers probe = Prepare(unit_probe, dim_padded_);
  const PreparedProbe view = probe.view();
  const auto& kernel = BestKernel();
  auto lock = ReadLock();
  const size_t n = ids_.size();
  if (n == 0 || k < 1) return {};

  auto scan = [&](size_t begin, size_t end, ScanState& st) {
    int32_t dots[kChunk];
    float upper[kChunk], bound[kChunk];
    const float* mult = mult_.data();
    const float* err = err_.data();
    const float* qnorm = qnorm_.data();
    for (size_t c = begin; c < end; c += kChunk) {
      const size_t m = std::min(kChunk, end - c);
      kernel.dot_batch(view, codes_.data() + c * dim_padded_, row_sums_.data() + c, m, dim_padded_,
                       dots);
      // Score intervals for the whole chunk (a loop the compiler vectorises),
      // then the few rows that can still reach the top k.
      for (size_t r = 0; r < m; ++r) {
        bound[r] = probe.err * qnorm[c + r] + err[c + r] + kSlack;
        upper[r] = float(dots[r]) * probe.scale * mult[c + r] + bound[r];
      }
      float tau = st.tau();
      for (size_t r = 0; r < m; ++r) {
        if (upper[r] < tau) continue;
        st.Offer(static_cast<uint32_t>(c + r), upper[r] - 2 * bound[r], upper[r]);
        tau = st.tau();
      }
    }
  };

  const size_t threads =
      n < options_.parallel_threshold ? 1 : std::min<size_t>(options_.threads, n / kChunk + 1);
  std::vector<ScanState> states(threads, ScanState(k));
  {
    // The calling thread scans the first shard itself.
    std::vector<std::thread> workers;
    const size_t per = (n + threads - 1) / threads;
    for (size_t t = 1; t < threads; ++t) {
      const size_t b = std::min(n, t * per), e = std::min(n, b + per);
      workers.emplace_back([&, b, e, t] { scan(b, e, states[t]); });
    }
    scan(0, std::min(n, per), states[0]);
    for (auto& w : workers) w.join();
  }
  // The global k-th best lower bound; rows whose upper bound is below it
  // cannot be in the top k.
  std::vector<float> lows;
  for (auto& st : states) {
    while (!st.lows.empty()) {
      lows.push_back(st.lows.top());
      st.lows.pop();
    }
  }
  std::sort(lows.begin(), lows.end(), std::greater<float>());
  const float tau = lows.size() >= static_cast<size_t>(k) ? lows[k - 1] : -INFINITY;
  std::vector<std::pair<float, uint32_t>> exact;
  for (const auto& st : states) {
    for (const Candidate& c : st.cands) {
      if (c.upper >= tau) exact.emplace_back(ExactScore(c.slot, unit_probe), c.slot);
    }
  }
  const size_t top = std::min<size_t>(k, exact.size());
  std::partial_sort(exact.begin(), exact.begin() + top, exact.end(),
                    [](const auto& a, const auto& b) {
                      return a.first > b.first || (a.first == b.first && a.second < b.second);
                    });
  std::vector<Match> out;
  out.reserve(top);
  for (size_t i = 0; i < top; ++i) out.push_back({ids_[exact[i].second], exact[i].first});
  return out;
}

std::vector<MatchPair> FaceGallery::PairsAbove(float threshold) const {
  const auto& kernel = BestKernel();
  auto lock = ReadLock();
  const size_t n = ids_.size();
  std::vector<std::vector<std::tuple<uint32_t, uint32_t, float>>> found(options_.threads);
  // Rows are taken kBlock at a time as probes; each chunk of candidate rows is
  // loaded once into cache for the whole block instead of once per probe.
  constexpr size_t kBlock = 8;
  std::atomic<size_t> next{0};
  auto work = [&](size_t t) {
    std::vector<int32_t> dots(kChunk);
    std::vector<ProbeBuffers> probes(kBlock);
    std::vector<std::vector<float>> exact_rows(kBlock, std::vector<float>(dim_));
    for (;;) {
      const size_t i0 = next.fetch_add(kBlock);
      if (i0 + 1 >= n) break;
      const size_t block = std::min(kBlock, n - i0);
      for (size_t b = 0; b < block; ++b) {
        const size_t i = i0 + b;
        // The probe's float form for the exact check.
        std::vector<float>& row = exact_rows[b];
        if (options_.keep_float) {
          std::copy_n(floats_.data() + i * dim_, dim_, row.begin());
        } else {
          const int8_t* code = codes_.data() + i * dim_padded_;
          for (size_t d = 0; d < dim_; ++d) row[d] = code[d] * mult_[i];
        }
        ProbeBuffers& probe = probes[b];
        probe.q.assign(codes_.begin() + i * dim_padded_, codes_.begin() + (i + 1) * dim_padded_);
        DeriveKernelForms(probe);
      }
      for (size_t c = i0 + 1; c < n; c += kChunk) {
        const size_t chunk_end = std::min(n, c + kChunk);
        for (size_t b = 0; b < block; ++b) {
          const size_t i = i0 + b;
          const size_t from = std::max(c, i + 1);  // pairs (i, j) with j > i only
          if (from >= chunk_end) continue;
          const size_t m = chunk_end - from;
          kernel.dot_batch(probes[b].view(), codes_.data() + from * dim_padded_,
                           row_sums_.data() + from, m, dim_padded_, dots.data());
          for (size_t r = 0; r < m; ++r) {
            const size_t j = from + r;
            // Both rows quantised: |true - approx| <= err_i*|q_j| + err_j.
            const float approx = float(dots[r]) * mult_[i] * mult_[j];
            const float bound = err_[i] * qnorm_[j] + err_[j] + kSlack;
            if (approx + bound < threshold) continue;
            const float exact = ExactScore(j, exact_rows[b]);
            if (exact >= threshold) found[t].emplace_back(uint32_t(i), uint32_t(j), exact);
          }
        }
      }
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < options_.threads; ++t) workers.emplace_back(work, t);
  for (auto& w : workers) w.join();
  std::vector<MatchPair> out;
  for (const auto& f : found) {
    for (const auto& [i, j, s] : f) out.push_back({ids_[i], ids_[j], s});
  }
  std::sort(out.begin(), out.end(), [](const MatchPair& a, const MatchPair& b) {
    return a.score > b.score || (a.score == b.score && std::tie(a.a, a.b) < std::tie(b.a, b.b));
  });
  return out;
}

}  // namespace puente::biometrics
