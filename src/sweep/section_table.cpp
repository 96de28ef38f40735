#include "section_table.hpp"

#include <cmath>
#include <set>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/io/toml_values.hpp"

namespace sgdlaw {
namespace {

// A value as messages echo it: numbers shortest, strings quoted, lists as written.
std::string shown(const toml::node& n) {
  std::string s;
  if (const auto* str = n.as_string()) {
    s = "\"" + str->get() + "\"";
  } else if (const auto* i = n.as_integer()) {
    s = std::to_string(i->get());
  } else if (const auto* f = n.as_floating_point()) {
    s = format_shortest(f->get());
  } else if (const auto* b = n.as_boolean()) {
    s = b->get() ? "true" : "false";
  } else if (const auto* arr = n.as_array()) {
    s = "[";
    for (std::size_t k = 0; k < arr->size() && s.size() < 80; ++k) s += (k ? ", " : "") + shown(*arr->get(k));
    s += "]";
  } else if (n.is_table()) {
    s = "{...}";
  } else {
    s = "(a date or time)";
  }
  return cut(s);
}

// A TOML number, or false.
bool as_double(const toml::node& n, double* x) {
  if (const auto* i = n.as_integer()) {
    *x = static_cast<double>(i->get());
    return true;
  }
  if (const auto* f = n.as_floating_point()) {
    *x = f->get();
    return true;
  }
  return false;
}

// A TOML integer, or an integral float within +-9e15 (beyond that a double holds no exact integer).
bool as_integer(const toml::node& n, std::int64_t* x) {
  if (const auto* i = n.as_integer()) {
    *x = i->get();
    return true;
  }
  const auto* f = n.as_floating_point();
  if (!f || !(std::fabs(f->get()) <= 9e15) || f->get() != std::floor(f->get())) return false;
  *x = static_cast<std::int64_t>(f->get());
  return true;
}

}  // namespace

void SectionValue::fail() const {
  throw ConfigError(source_ + ": [" + section_ + "] field '" + info_.name + "' = " + shown(node_) + ": must be " +
                    info_.type + (*info_.rule ? std::string(", ") + info_.rule : std::string()));
}

std::int64_t SectionValue::integer(std::int64_t lo, std::int64_t hi) const {
  std::int64_t x = 0;
  if (!as_integer(node_, &x) || x < lo || x > hi) fail();
  return x;
}

double SectionValue::number(bool (*ok)(double)) const {
  double x = 0.0;
  if (!as_double(node_, &x) || !std::isfinite(x) || !ok(x)) fail();
  return x;
}

bool SectionValue::boolean() const {
  const auto* b = node_.as_boolean();
  if (!b) fail();
  return b->get();
}

std::string SectionValue::text() const {
  const auto* s = node_.as_string();
  if (!s || s->get().empty()) fail();
  return s->get();
}

std::vector<std::string> SectionValue::names() const {
  if (const auto* s = node_.as_string()) return {s->get()};
  const auto* arr = node_.as_array();
  if (!arr) fail();
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (!s) fail();
    out.push_back(s->get());
  }
  return out;
}

std::vector<double> SectionValue::numbers(bool (*ok)(double)) const {
  std::vector<double> out;
  double x = 0.0;
  if (as_double(node_, &x)) {
    out.push_back(x);
  } else if (const auto* arr = node_.as_array()) {
    for (const auto& item : *arr) {
      if (!as_double(item, &x)) fail();
      out.push_back(x);
    }
  }
  if (out.empty()) fail();
  for (double v : out)
    if (!std::isfinite(v) || !ok(v)) fail();
  return out;
}

std::vector<std::int64_t> SectionValue::integers(std::int64_t lo, std::int64_t hi, std::size_t min_count,
                                                 bool increasing) const {
  const auto* arr = node_.as_array();
  if (!arr || arr->size() < min_count) fail();
  std::vector<std::int64_t> out;
  for (const auto& item : *arr) {
    std::int64_t x = 0;
    if (!as_integer(item, &x) || x < lo || x > hi || (increasing && !out.empty() && x <= out.back())) fail();
    out.push_back(x);
  }
  return out;
}

std::vector<std::vector<double>> SectionValue::tuples(std::size_t count, bool nested) const {
  auto tuple = [&](const toml::node& n) {
    const auto* arr = n.as_array();
    if (!arr || arr->size() != count) fail();
    std::vector<double> v(count);
    for (std::size_t k = 0; k < count; ++k)
      if (!as_double(*arr->get(k), &v[k]) || std::isnan(v[k])) fail();
    return v;
  };
  if (!nested) return {tuple(node_)};
  const auto* arr = node_.as_array();
  if (!arr) fail();
  std::vector<std::vector<double>> out;
  for (const auto& item : *arr) out.push_back(tuple(item));
  return out;
}

void refuse_unknown_keys(const toml::table& t, const std::vector<SectionKeyInfo>& known, const std::string& source,
                         const char* section) {
  std::set<std::string> names;
  std::string list;
  for (const SectionKeyInfo& k : known) {
    names.insert(k.name);
    list += (list.empty() ? "" : ", ") + std::string(k.name);
  }
  for (auto&& [k, node] : t) {
    (void)node;
    const std::string key(k.str());
    if (!names.count(key))
      throw ConfigError(source + ": [" + section + "] unknown key '" + cut(key) + "'" +
                        did_you_mean(key, {names.begin(), names.end()}) + " (the keys of [" + section + "]: " + list +
                        ")");
  }
}

void missing_key(const SectionKeyInfo& info, const std::string& source, const char* section) {
  throw ConfigError(source + ": [" + section + "] field '" + info.name + "' is required (" + info.type +
                    (*info.rule ? std::string(", ") + info.rule : std::string()) + ")");
}

std::string section_help(const std::vector<SectionKeyInfo>& keys) {
  std::string out;
  for (const SectionKeyInfo& k : keys) {
    const std::string head = std::string("  ") + k.name + " = " + (*k.fallback ? k.fallback : "(required)");
    out += head + std::string(head.size() < 34 ? 34 - head.size() : 1, ' ') + k.help + " (must be " + k.type +
           (*k.rule ? std::string(", ") + k.rule : std::string()) + ")\n";
  }
  return out;
}

SectionFile read_section_file(const std::string& path, const char* what, const char* section, const char* needs) {
  const std::string text = read_config_file(path, what);
  SectionFile f;
  f.root = parse_toml_or_throw(text, path);
  f.base = parse_toml_settings(text, path);
  f.name = section;
  if (!f.root[section].as_table())
    throw ConfigError(path + ": a " + what + " needs a [" + section + "] section (" + needs + ")");
  return f;
}

}  // namespace sgdlaw
