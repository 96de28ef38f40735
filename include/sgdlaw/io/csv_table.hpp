#pragma once
// A small reader for the comma-separated tables sgdlaw writes and users bring (header row, no quoting).
#include <string>
#include <vector>

namespace sgdlaw {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // Index of a column; throws std::runtime_error naming the file's columns when absent.
  std::size_t column(const std::string& name) const;
  bool has_column(const std::string& name) const;
  // Column as numbers; throws naming the row and column when a cell is not a finite number.
  std::vector<double> numbers(const std::string& name) const;
  // The column as numbers, NaN where a cell is empty or not a number (callers decide what to do with them).
  std::vector<double> numbers_or_nan(const std::string& name) const;
  std::string source;
};

CsvTable parse_csv(const std::string& text, const std::string& source);
CsvTable read_csv(const std::string& path);

}  // namespace sgdlaw
