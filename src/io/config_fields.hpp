#pragma once
// Internal to io: every configuration key, described once. A new key is one entry in config_fields.cpp's
// table (plus its member in core/config.hpp): the table gives its section, flag and help (config_fields()),
// its type and default (--help), how it is read and range-checked (resolve_config) and how it is written to
// config.json (resolved_config_json).
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "field_reader.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

struct FieldDef {
  FieldSpec spec;
  std::function<void(const FieldReader&, Config&)> read;  // reads the key if given; checks its own range
  std::function<nlohmann::json(const Config&)> json;      // null: not recorded in config.json (progress)
  // Whether the key changes a run's results. Keys that do not (where the files go, how many threads compute
  // them, whether a progress bar shows) are recorded but never make two runs different: this attribute is the
  // one place that decides which settings identify a run (run_identity in run_output.hpp).
  bool results = true;
};

// The recorded configuration (resolved_config_json's layout) reduced to the keys whose field changes results.
nlohmann::json results_only(const nlohmann::json& recorded);

const std::vector<FieldDef>& field_defs();

// The checks that involve several keys (M against d and the sketch, N against batch, trials x sketches,
// covariates against the backend), after every key is read.
void check_field_relations(const FieldReader& r, Config& c);

// The schedule's keys and their checks against each other (schedule_fields.cpp).
void add_schedule_fields(std::vector<FieldDef>& d);
void check_schedule_relations(const FieldReader& r, Config& c);

// The optimizer's keys (optimizer, momentum, dana_*) and their checks (optimizer_fields.cpp).
void add_optimizer_fields(std::vector<FieldDef>& d);
void check_optimizer_relations(const FieldReader& r, Config& c);

// The resolved configuration by section, as config.json records it.
nlohmann::json resolved_config_json(const Config& c);

}  // namespace sgdlaw
