// A strict RFC 4180 CSV reader for bulk imports: comma-separated, fields
// optionally in double quotes ("" for a quote inside), LF or CRLF line ends,
// UTF-8. The first row is the header.
#ifndef PUENTE_APPS_SUPPORT_CSV_H_
#define PUENTE_APPS_SUPPORT_CSV_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace puente::apps {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  std::vector<int> line_of_row;                // 1-based line where each row starts
  // The value of `column` in row `r`, or "" if there is no such column.
  const std::string& Get(size_t r, std::string_view column) const;
};

struct CsvLimits {
  size_t max_rows = 1000000;
  size_t max_field_bytes = 4096;
};

// InvalidArgument("line N: ...") for an unterminated quote, a character after
// a closing quote, a row with a different number of fields than the header,
// a duplicate or empty header name, or input over the limits.
absl::StatusOr<CsvTable> ParseCsv(std::string_view text, const CsvLimits& limits = {});

}  // namespace puente::apps

#endif  // PUENTE_APPS_SUPPORT_CSV_H_
