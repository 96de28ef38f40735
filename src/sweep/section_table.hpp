#pragma once
// Internal to sweep: the keys of a file section that holds no run settings ([fit] of a sweep file, [phases] of a
// phases file), each described once like the run keys of io/config_fields.cpp: name, type, range rule, default,
// help and a reader that checks the type and the range. read_section refuses unknown keys (listing the section's
// keys) and reads the given ones in table order; every error reads
//   "FILE: [fit] field 'bootstrap_seed' = -7.5: must be an integer, 0 <= bootstrap_seed < 2^32".
#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

// What a key is, as its error message and the help say it.
struct SectionKeyInfo {
  const char* name;
  const char* type;      // "an integer", "a number", "[low, high]", ...: what the value must be
  const char* rule;      // its range, "0 <= bootstrap_seed < 2^32" ("" when the type says everything)
  const char* fallback;  // the default as the help shows it ("" = required)
  const char* help;
};

// One key's value while it is read: each getter checks the TOML type and the range and throws ConfigError with
// the key's type and rule otherwise. A TOML float with an integral value counts as an integer (as for run keys).
class SectionValue {
 public:
  SectionValue(const toml::node& node, const std::string& source, const char* section, const SectionKeyInfo& info)
      : node_(node), source_(source), section_(section), info_(info) {}
  std::int64_t integer(std::int64_t lo, std::int64_t hi) const;
  double number(bool (*ok)(double)) const;  // finite, and ok
  bool boolean() const;
  std::string text() const;                               // a non-empty string
  std::vector<std::string> names() const;                 // a string or a list of strings (may be empty)
  std::vector<double> numbers(bool (*ok)(double)) const;  // a number or a non-empty list of them, each ok
  // A list of at least min_count integers in [lo, hi], strictly increasing when `increasing`.
  std::vector<std::int64_t> integers(std::int64_t lo, std::int64_t hi, std::size_t min_count, bool increasing) const;
  // Exactly `count` numbers (inf allowed: an open end), or a list of such lists when `nested`.
  std::vector<std::vector<double>> tuples(std::size_t count, bool nested) const;
  [[noreturn]] void fail() const;

 private:
  const toml::node& node_;
  const std::string& source_;
  const char* section_;
  const SectionKeyInfo& info_;
};

template <class Spec>
struct SectionKey {
  SectionKeyInfo info;
  std::function<void(const SectionValue&, Spec&)> read;
};

// Throws ConfigError for a key of `t` not in `known` ("FILE: [fit] unknown key 'x' (the keys of [fit]: ...)").
void refuse_unknown_keys(const toml::table& t, const std::vector<SectionKeyInfo>& known, const std::string& source,
                         const char* section);
// "FILE: [phases] field 'a' is required (a number or a non-empty list of numbers, each a > 1)".
[[noreturn]] void missing_key(const SectionKeyInfo& info, const std::string& source, const char* section);
// The section's keys for --help: one line each, "  name = default   help (type, rule)".
std::string section_help(const std::vector<SectionKeyInfo>& keys);

// A study file (a phases, schedule or batch file): its base settings ([problem], [sgd], [run]) and its own
// section, which must be there ("PATH: a WHAT needs a [SECTION] section (NEEDS)" otherwise).
struct SectionFile {
  RawSettings base;
  toml::table root;
  const toml::table& section() const { return *root[name].as_table(); }
  std::string name;
};
SectionFile read_section_file(const std::string& path, const char* what, const char* section, const char* needs);

template <class Spec>
std::vector<SectionKeyInfo> key_infos(const std::vector<SectionKey<Spec>>& keys) {
  std::vector<SectionKeyInfo> out;
  for (const auto& k : keys) out.push_back(k.info);
  return out;
}

struct FitSpec;
struct PhaseSpec;
// The two tables (fit_fields.cpp, phase_fields.cpp): every key of the section read into the spec, after its
// defaults; what involves several keys or the rest of the file (grid names, the sigma default) is the caller's.
void read_fit_keys(const toml::table& t, const std::string& source, FitSpec& f);
void read_phase_keys(const toml::table& t, const std::string& source, PhaseSpec& s);

template <class Spec>
void read_section(const toml::table& t, const std::vector<SectionKey<Spec>>& keys, const std::string& source,
                  const char* section, Spec& spec) {
  refuse_unknown_keys(t, key_infos(keys), source, section);
  for (const auto& k : keys) {
    const toml::node* n = t.get(k.info.name);
    if (!n) {
      if (*k.info.fallback == '\0') missing_key(k.info, source, section);
      continue;
    }
    k.read(SectionValue(*n, source, section, k.info), spec);
  }
}

}  // namespace sgdlaw
