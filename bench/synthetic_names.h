// Synthetic people for the service benchmarks.
#ifndef PUENTE_BENCH_SYNTHETIC_NAMES_H_
#define PUENTE_BENCH_SYNTHETIC_NAMES_H_

#include <string>

namespace puente::bench {

// A name-like rendering of i (names hold letters only): 0 -> "a", 27 -> "bb".
inline std::string Letters(long i) {
  std::string s;
  do {
    s.push_back(static_cast<char>('a' + i % 26));
    i /= 26;
  } while (i > 0);
  return s;
}

}  // namespace puente::bench

#endif  // PUENTE_BENCH_SYNTHETIC_NAMES_H_
