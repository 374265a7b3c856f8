#include "support/csv.h"

#include <set>

#include "absl/status/status.h"
#include "puente/common/strings.h"

namespace puente::apps {
namespace {

absl::Status Bad(int line, const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat("line ", line, ": ", what));
}

}  // namespace

const std::string& CsvTable::Get(size_t r, std::string_view column) const {
  static const std::string kEmpty;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return rows[r][i];
  }
  return kEmpty;
}

absl::StatusOr<CsvTable> ParseCsv(std::string_view text, const CsvLimits& limits) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  std::vector<std::string> record;
  std::string field;
  int line = 1, record_line = 1;
  size_t i = 0;
  bool at_field_start = true;
  auto end_field = [&]() -> absl::Status {
    if (field.size() > limits.max_field_bytes) return Bad(line, "field too long");
    record.push_back(std::move(field));
    field.clear();
    at_field_start = true;
    return absl::OkStatus();
  };
  auto end_record = [&]() -> absl::Status {
    if (auto st = end_field(); !st.ok()) return st;
    if (!(record.size() == 1 && record[0].empty())) {  // skip blank lines
      if (records.size() > limits.max_rows) return Bad(line, "too many rows");
      records.push_back(std::move(record));
      lines.push_back(record_line);
    }
    record.clear();
    record_line = line + 1;
    return absl::OkStatus();
  };
  while (i < text.size()) {
    const char c = text[i];
    if (at_field_start && c == '"') {
      // Quoted field.
      ++i;
      for (;;) {
        if (i >= text.size()) return Bad(record_line, "unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
        if (field.size() > limits.max_field_bytes) return Bad(line, "field too long");
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return Bad(line, "a character after a closing quote");
      }
      at_field_start = false;
      continue;
    }
    at_field_start = false;
    if (c == ',') {
      if (auto st = end_field(); !st.ok()) return st;
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      if (auto st = end_record(); !st.ok()) return st;
      i += 2;
      ++line;
    } else if (c == '\n') {
      if (auto st = end_record(); !st.ok()) return st;
      ++i;
      ++line;
    } else if (c == '"') {
      return Bad(line, "a quote inside an unquoted field");
    } else {
      field.push_back(c);
      ++i;
    }
  }
  if (!field.empty() || !record.empty()) {
    if (auto st = end_record(); !st.ok()) return st;
  }
  if (records.empty()) return absl::InvalidArgumentError("line 1: no header row");
  CsvTable t;
  t.header = std::move(records[0]);
  std::set<std::string> names;
  for (std::string& h : t.header) {
    h = std::string(StripAsciiWhitespace(h));
    if (h.empty()) return Bad(1, "empty column name");
    if (!names.insert(h).second) return Bad(1, "column \"" + h + "\" appears twice");
  }
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != t.header.size()) {
      return Bad(lines[r],
                 puente::StrCat(records[r].size(), " fields, the header has ", t.header.size()));
    }
    t.rows.push_back(std::move(records[r]));
    t.line_of_row.push_back(lines[r]);
  }
  return t;
}

}  // namespace puente::apps
