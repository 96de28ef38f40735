#include "sgdlaw/io/config_load.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config_fields.hpp"
#include "field_reader.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/toml_values.hpp"

namespace sgdlaw {

const char* to_string(SketchKind k) { return k == SketchKind::kGaussian ? "gaussian" : "identity"; }
const char* to_string(PriorMode p) { return p == PriorMode::kPerTrial ? "prior" : "fixed"; }
const char* to_string(ScheduleKind s) {
  switch (s) {
    case ScheduleKind::kGeometric:
      return "geometric";
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kPower:
      return "power";
    case ScheduleKind::kCosine:
      return "cosine";
    case ScheduleKind::kLinear:
      return "linear";
    case ScheduleKind::kWsd:
      return "wsd";
    case ScheduleKind::kTable:
      return "table";
  }
  return "?";
}
const char* to_string(DecayShape s) {
  switch (s) {
    case DecayShape::kLinear:
      return "linear";
    case DecayShape::kCosine:
      return "cosine";
    case DecayShape::kSqrt:
      return "sqrt";
    case DecayShape::kPower:
      return "power";
  }
  return "?";
}
const char* to_string(CovariateKind c) { return c == CovariateKind::kGaussian ? "gaussian" : "rademacher"; }
const char* to_string(TrialsOutput t) {
  return t == TrialsOutput::kNone ? "none" : t == TrialsOutput::kFinal ? "final" : "all";
}

const char* to_string(SamplingKind s) { return s == SamplingKind::kEpochs ? "epochs" : "replacement"; }
const char* to_string(ExactMethod m) {
  return m == ExactMethod::kAuto ? "auto" : m == ExactMethod::kSteps ? "steps" : "contour";
}

std::string canonical_key(const std::string& key) { return key == "B" ? "batch" : key; }

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> fields = [] {
    std::vector<FieldSpec> out;
    for (const FieldDef& f : field_defs()) out.push_back(f.spec);
    return out;
  }();
  return fields;
}

namespace {}  // namespace

std::string field_default(const std::string& name) {
  const Config defaults;
  for (const FieldDef& f : field_defs())
    if (name == f.spec.name) {
      if (name == "b") return "";  // the help says: a
      if (name == "progress") return "true";
      if (!f.json) return "";
      const nlohmann::json v = f.json(defaults);
      if (v.is_null()) return "";  // applies only with other settings (head: d = inf); the help says its default
      return v.is_string() ? v.get<std::string>() : v.dump();
    }
  return "";
}

namespace {

const FieldSpec* find_field(const std::string& name) {
  for (const auto& f : config_fields())
    if (name == f.name) return &f;
  return nullptr;
}

// Why a key is unknown in [section]: the section it belongs to, or the nearest key of this one.
std::string unknown_key_hint(const std::string& key, const std::string& section) {
  if (const FieldSpec* f = find_field(key)) return " (it belongs in [" + std::string(f->section) + "])";
  std::vector<std::string> here;
  for (const auto& f : config_fields())
    if (section == f.section) here.push_back(f.name);
  return did_you_mean(key, here);
}

std::string known_keys_of(const std::string& section) {
  std::string out;
  for (const auto& f : config_fields())
    if (section == f.section) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

void add_toml_value(RawSettings& out, const std::string& section, const std::string& written, const toml::node& node,
                    const std::string& source) {
  const std::string key = canonical_key(written);
  if (key != written && out.count(key))
    throw ConfigError(source + ": fields 'batch' and 'B' in [" + section + "] are the same setting; give one of them");
  if (key == written && key == "batch" && out.count(key))
    throw ConfigError(source + ": fields 'B' and 'batch' in [" + section + "] are the same setting; give one of them");
  const FieldSpec* spec = find_field(key);
  if (!spec || section != spec->section) {
    throw ConfigError(source + ": unknown key '" + cut(key) + "' in [" + section + "]" +
                      unknown_key_hint(key, section) + "; allowed keys there: " + known_keys_of(section));
  }
  out[key] = raw_value_from_toml(node, key, source);
}

}  // namespace

RawValue raw_value_from_toml(const toml::node& node, const std::string& key, const std::string& source) {
  RawValue v;
  if (auto s = node.as_string()) {
    v.text = s->get();
    v.origin = RawValue::Origin::kTomlString;
  } else if (auto i = node.as_integer()) {
    v.text = std::to_string(i->get());
    v.origin = RawValue::Origin::kTomlNumber;
  } else if (auto f = node.as_floating_point()) {
    v.text = format_shortest(f->get());
    v.origin = RawValue::Origin::kTomlNumber;
  } else if (auto bl = node.as_boolean()) {
    v.text = bl->get() ? "true" : "false";
    v.origin = RawValue::Origin::kTomlBool;
  } else if (node.is_date() || node.is_time() || node.is_date_time()) {
    throw ConfigError(source + ": field '" + key + "' must be a number, string or boolean, not a date or time");
  } else if (node.is_array()) {
    throw ConfigError(source + ": field '" + key + "' must be a number, string or boolean, not an array" +
                      " (arrays are sweep axes: put them in a [[sweep.grid]])");
  } else {
    throw ConfigError(source + ": field '" + key + "' must be a number, string or boolean, not a table");
  }
  return v;
}

toml::table parse_toml_or_throw(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ": malformed TOML at line " << e.source().begin.line << ", column " << e.source().begin.column
        << ": " << e.description();
    throw ConfigError(msg.str());
  }
}

RawSettings parse_toml_settings(const std::string& text, const std::string& source_name) {
  const toml::table root = parse_toml_or_throw(text, source_name);
  RawSettings out;
  for (auto&& [k, node] : root) {
    const std::string key(k.str());
    if (key == "problem" || key == "sgd" || key == "run") {
      const toml::table* t = node.as_table();
      if (!t) throw ConfigError(source_name + ": [" + key + "] must be a table");
      for (auto&& [k2, node2] : *t) add_toml_value(out, key, std::string(k2.str()), node2, source_name);
    } else if (key == "sweep" || key == "fit" || key == "meta" || key == "phases" || key == "schedules" ||
               key == "batch") {
      continue;  // read by the sweep and phases drivers; a plain run ignores them
    } else {
      std::string hint =
          did_you_mean(key, {"problem", "sgd", "run", "sweep", "fit", "meta", "phases", "schedules", "batch"});
      if (hint.empty() && find_field(key))
        hint = " (a key of [" + std::string(find_field(key)->section) + "]: put it under that section)";
      throw ConfigError(source_name + ": unknown top-level key or section '" + cut(key) + "'" + hint +
                        "; expected sections [problem], [sgd], [run]");
    }
  }
  return out;
}

std::string read_config_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(what + " '" + cut(path) + "' is a folder, not a TOML file");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("cannot open " + what + " '" + cut(path) + "'" +
                      (errno != 0 ? ": " + std::string(std::strerror(errno)) : std::string()));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError("cannot read " + what + " '" + cut(path) + "'");
  return ss.str();
}

void check_path_text(const std::string& path, const std::string& field) {
  constexpr std::size_t kPathMax = 4096;  // Linux's PATH_MAX, with its terminating NUL
  const std::string who = !field.empty() && (field[0] == '-' || field[0] == '[') ? field : "field '" + field + "'";
  if (path.size() >= kPathMax)
    throw ConfigError(who + " = '" + cut(path) + "' is too long for a path (" + std::to_string(path.size()) +
                      " bytes; the system holds at most " + std::to_string(kPathMax - 1) + ")");
  if (path.find('\0') != std::string::npos)
    throw ConfigError(who + " = '" + cut(path) + "' holds a NUL byte, which no path can");
}

RawSettings read_toml_settings(const std::string& path) {
  return parse_toml_settings(read_config_file(path, "config file"), path);
}

const RawValue* FieldReader::get(const char* name) const {
  auto it = merged_.find(name);
  return it == merged_.end() ? nullptr : &it->second;
}

namespace {
void require_numeric_origin(const char* name, const RawValue& v) {
  if (v.origin == RawValue::Origin::kTomlString || v.origin == RawValue::Origin::kTomlBool)
    throw ConfigError("field '" + std::string(name) + "' must be a number, got '" + cut(v.text) + "'");
}
}  // namespace

bool FieldReader::real(const char* name, double* out) const {
  const RawValue* v = get(name);
  if (!v) return false;
  require_numeric_origin(name, *v);
  const char* s = v->text.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(s, &end);
  if (end == s || *end != '\0')
    throw ConfigError("field '" + std::string(name) + "' must be a number, got '" + cut(v->text) + "'");
  if (!std::isfinite(x))
    throw ConfigError("field '" + std::string(name) + "' must be finite, got '" + cut(v->text) + "'");
  *out = x;
  return true;
}

bool FieldReader::integer(const char* name, std::int64_t* out, const std::string& rule) const {
  const RawValue* v = get(name);
  if (!v) return false;
  require_numeric_origin(name, *v);
  const std::string& s = v->text;
  auto beyond = [&]() {
    if (!rule.empty()) range_error(name, rule, s);
    throw ConfigError("field '" + std::string(name) + "' = " + cut(s) +
                      " is out of range: an integer key holds -2^63 .. 2^63 - 1 (see the field's own range in --help)");
  };
  const std::size_t digits_from = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.size() > digits_from && s.find_first_not_of("0123456789", digits_from) == std::string::npos) {
    errno = 0;
    char* end = nullptr;
    const long long x = std::strtoll(s.c_str(), &end, 10);
    if (errno == ERANGE) beyond();
    *out = static_cast<std::int64_t>(x);
    return true;
  }
  double x;
  real(name, &x);
  if (x != std::floor(x))
    throw ConfigError("field '" + std::string(name) + "' must be an integer, got '" + cut(s) + "'");
  if (!(std::fabs(x) < 9223372036854775808.0)) beyond();  // 2^63: every integral double below it is an int64
  *out = static_cast<std::int64_t>(x);
  return true;
}

bool FieldReader::text(const char* name, std::string* out) const {
  const RawValue* v = get(name);
  if (!v) return false;
  if (v->origin == RawValue::Origin::kTomlNumber || v->origin == RawValue::Origin::kTomlBool)
    throw ConfigError("field '" + std::string(name) + "' must be a string, got " + cut(v->text));
  *out = v->text;
  return true;
}

bool FieldReader::boolean(const char* name, bool* out) const {
  const RawValue* v = get(name);
  if (!v) return false;
  if (v->text == "true" || v->text == "1" || v->text == "yes") {
    *out = true;
  } else if (v->text == "false" || v->text == "0" || v->text == "no") {
    *out = false;
  } else {
    throw ConfigError("field '" + std::string(name) + "' must be true or false, got '" + cut(v->text) + "'");
  }
  return true;
}

[[noreturn]] void range_error(const char* field, const std::string& rule, const std::string& got) {
  throw ConfigError("field '" + std::string(field) + "' must satisfy " + rule + ", got " + cut(got));
}

Config resolve_config(const std::vector<RawSettings>& layers) {
  RawSettings merged;
  for (const auto& layer : layers)
    for (const auto& [k, v] : layer) {
      if (!find_field(k)) {
        std::vector<std::string> names;
        for (const auto& f : config_fields()) names.push_back(f.name);
        throw ConfigError("unknown field '" + cut(k) + "'" + did_you_mean(k, names));
      }
      merged[k] = v;
    }
  const FieldReader r(std::move(merged));
  Config c;
  for (const FieldDef& f : field_defs()) f.read(r, c);
  check_field_relations(r, c);
  return c;
}

Config load_config(const std::string& toml_path, const RawSettings& overrides) {
  std::vector<RawSettings> layers;
  if (!toml_path.empty()) layers.push_back(read_toml_settings(toml_path));
  layers.push_back(overrides);
  return resolve_config(layers);
}

}  // namespace sgdlaw
