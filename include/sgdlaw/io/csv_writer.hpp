#pragma once
// Building CSV tables: a header, then rows cell by cell; each row must have the header's width.
// Doubles use printf's %.<precision>g (the table's precision), integers are exact, text is written as is
// (sgdlaw's own cells hold no commas or quotes; one that does is quoted). No table holds "inf" or "nan": a
// value that is not finite is written as an empty cell, the same as a value that does not apply (readers
// see a missing value; the writers of curves refuse non-finite curves before they get here).
#include <cstdint>
#include <string>
#include <vector>

namespace sgdlaw {

class CsvWriter {
 public:
  CsvWriter(const std::vector<std::string>& header, int double_precision);

  CsvWriter& cell(double x);
  CsvWriter& cell(std::int64_t x);
  CsvWriter& cell(const std::string& text);
  CsvWriter& cell(const char* text) { return cell(std::string(text)); }
  CsvWriter& empty_cell();
  // Ends the row; throws std::logic_error when it has another width than the header.
  void end_row();

  const std::string& text() const { return text_; }
  std::size_t rows() const { return rows_; }

 private:
  void separate();
  std::size_t width_ = 0, in_row_ = 0, rows_ = 0;
  int precision_;
  std::string text_;
};

}  // namespace sgdlaw
