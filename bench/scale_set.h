// The labelled scale face set (../shared/faces/scale, see its README) as the
// benchmarks read it: one row of MANIFEST.tsv per photo.
#ifndef PUENTE_BENCH_SCALE_SET_H_
#define PUENTE_BENCH_SCALE_SET_H_

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace puente::bench {

struct ScalePhoto {
  std::string path;
  std::string identity;
  bool mated = false;    // mated/<identity>/<n>.jpg, else a distractor
  bool studio = false;   // CFD
  bool flagged = false;  // noisy_identity or suspect_label in MANIFEST.tsv
  int number = 0;        // n of mated/<identity>/<n>.jpg
};

// Appends the photos of `dir`'s MANIFEST.tsv to `out`; false (and a line on
// stderr) without one.
inline bool ReadScaleManifest(const std::filesystem::path& dir, std::vector<ScalePhoto>& out) {
  std::ifstream in(dir / "MANIFEST.tsv");
  if (!in) {
    std::fprintf(stderr, "%s: no MANIFEST.tsv\n", dir.c_str());
    return false;
  }
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> c;
    std::string cell;
    std::istringstream cells(line);
    while (std::getline(cells, cell, '\t')) c.push_back(cell);
    if (!line.empty() && line.back() == '\t') c.push_back("");
    if (c.size() < 16) continue;
    ScalePhoto p;
    p.path = (dir / c[0]).string();
    p.identity = c[2];
    p.mated = c[1] == "mated";
    p.studio = c[2].rfind("cfd-", 0) == 0;
    p.flagged = c[15].find("noisy_identity") != std::string::npos ||
                c[15].find("suspect_label") != std::string::npos;
    if (p.mated) p.number = std::atoi(std::filesystem::path(c[0]).stem().c_str());
    out.push_back(std::move(p));
  }
  return true;
}

}  // namespace puente::bench

#endif  // PUENTE_BENCH_SCALE_SET_H_
