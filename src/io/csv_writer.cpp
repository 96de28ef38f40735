#include "sgdlaw/io/csv_writer.hpp"

#include <cmath>
#include <stdexcept>

#include "sgdlaw/core/format.hpp"

namespace sgdlaw {

CsvWriter::CsvWriter(const std::vector<std::string>& header, int double_precision)
    : width_(header.size()), precision_(double_precision) {
  for (const std::string& h : header) cell(h);
  end_row();
  rows_ = 0;
}

void CsvWriter::separate() {
  if (in_row_++ > 0) text_ += ',';
}

CsvWriter& CsvWriter::cell(double x) {
  separate();
  if (std::isfinite(x)) text_ += format_g(x, precision_);
  return *this;
}

CsvWriter& CsvWriter::cell(std::int64_t x) {
  separate();
  text_ += std::to_string(x);
  return *this;
}

CsvWriter& CsvWriter::cell(const std::string& text) {
  separate();
  if (text.find_first_of(",\"\n") == std::string::npos) {
    text_ += text;
    return *this;
  }
  text_ += '"';
  for (char ch : text) {
    if (ch == '"') text_ += '"';
    text_ += ch;
  }
  text_ += '"';
  return *this;
}

CsvWriter& CsvWriter::empty_cell() {
  separate();
  return *this;
}

void CsvWriter::end_row() {
  if (in_row_ != width_)
    throw std::logic_error("CSV row has " + std::to_string(in_row_) + " cells, the header " + std::to_string(width_));
  text_ += '\n';
  in_row_ = 0;
  ++rows_;
}

}  // namespace sgdlaw
