#include "sgdlaw/io/csv_table.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "sgdlaw/core/text.hpp"
#include "sgdlaw/io/atomic_file.hpp"

namespace sgdlaw {
namespace {

// One line of cells: commas separate, a cell may be quoted ("a, b" and "say ""x""" as in RFC 4180).
std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch == '"' && cell.find_first_not_of(" \t") == std::string::npos) {
      cell.clear();
      quoted = true;
    } else if (ch == ',') {
      out.push_back(cell);
      cell.clear();
    } else if (ch != '\r') {
      cell += ch;
    }
  }
  out.push_back(cell);
  for (auto& c : out) {
    const auto b = c.find_first_not_of(" \t"), e = c.find_last_not_of(" \t");
    c = b == std::string::npos ? "" : c.substr(b, e - b + 1);
  }
  return out;
}

// A header naming a column twice leaves "which one" to chance: refused.
void check_header(const std::vector<std::string>& header, const std::string& source, std::size_t line_no) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!seen.insert(header[i]).second)
      throw std::runtime_error(cut(source) + ": line " + std::to_string(line_no) + " (the header) names column '" +
                               cut(header[i]) + "' twice; every column needs its own name");
  }
}

}  // namespace

CsvTable parse_csv(const std::string& text, const std::string& source) {
  CsvTable t;
  t.source = source;
  std::size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;  // a UTF-8 byte-order mark
  std::size_t line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto cells = split_line(line);
    if (t.header.empty()) {
      t.header = std::move(cells);
      check_header(t.header, source, line_no);
    } else {
      if (cells.size() != t.header.size())
        throw std::runtime_error(cut(source) + ": line " + std::to_string(line_no) + " has " +
                                 std::to_string(cells.size()) + " cells, the header has " +
                                 std::to_string(t.header.size()));
      t.rows.push_back(std::move(cells));
    }
  }
  if (t.header.empty()) throw std::runtime_error(cut(source) + ": empty table (no header row)");
  return t;
}

CsvTable read_csv(const std::string& path) { return parse_csv(read_text_file(path), path); }

bool CsvTable::has_column(const std::string& name) const {
  for (const auto& h : header)
    if (h == name) return true;
  return false;
}

std::size_t CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string cols;
  for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
  throw std::runtime_error(cut(source) + ": no column '" + cut(name) + "' (columns: " + cut(cols) + ")");
}

std::vector<double> CsvTable::numbers(const std::string& name) const {
  const std::size_t c = column(name);
  std::vector<double> out;
  out.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& s = rows[r][c];
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v))
      throw std::runtime_error(cut(source) + ": row " + std::to_string(r + 1) + ", column '" + cut(name) + "': '" +
                               cut(s) + "' is not a finite number");
    out.push_back(v);
  }
  return out;
}

std::vector<double> CsvTable::numbers_or_nan(const std::string& name) const {
  const std::size_t c = column(name);
  std::vector<double> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    char* end = nullptr;
    const double v = std::strtod(row[c].c_str(), &end);
    out.push_back(row[c].empty() || *end != '\0' ? NAN : v);
  }
  return out;
}

}  // namespace sgdlaw
