// The schedule's keys (schedule, gamma_min, warmup, decay_fraction, decay_shape, decay_power, schedule_table)
// and the checks between them, in the config field table (config_fields.hpp). A key that does not apply to the
// chosen schedule is refused when set to anything but its default, so no setting is silently ignored; keys at
// their defaults are left out of config.json, so runs made before these keys existed keep their identity.
#include <cmath>
#include <string>

#include "config_fields.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/csv_table.hpp"

namespace sgdlaw {
namespace {

std::string g(double x) { return format_shortest(x); }

// The table's rows from a CSV file with columns step,gamma; refused with the row and the reason.
std::vector<Config::TableRow> read_table(const std::string& path) {
  CsvTable t;
  try {
    t = read_csv(path);
  } catch (const std::exception& e) {
    throw ConfigError("field 'schedule_table' = '" + cut(path) + "': " + e.what());
  }
  const auto bad = [&](std::size_t row, const std::string& why) {
    throw ConfigError("field 'schedule_table' = '" + cut(path) + "', row " + std::to_string(row + 1) + ": " + why);
  };
  if (!t.has_column("step") || !t.has_column("gamma"))
    throw ConfigError("field 'schedule_table' = '" + cut(path) + "' needs the columns step,gamma");
  const std::vector<double> step = t.numbers_or_nan("step"), gamma = t.numbers_or_nan("gamma");
  if (step.empty()) throw ConfigError("field 'schedule_table' = '" + cut(path) + "' has no rows");
  std::vector<Config::TableRow> rows;
  for (std::size_t i = 0; i < step.size(); ++i) {
    if (!(step[i] >= 0.0 && step[i] < 0x1p62 && std::floor(step[i]) == step[i]))
      bad(i, "step must be an integer >= 0, got '" + cut(t.rows[i][t.column("step")]) + "'");
    if (!(gamma[i] >= 0.0 && std::isfinite(gamma[i])))
      bad(i, "gamma must be a finite number >= 0, got '" + cut(t.rows[i][t.column("gamma")]) + "'");
    const auto s = static_cast<std::int64_t>(step[i]);
    if (i == 0 && s != 0) bad(i, "the first piece must start at step 0 (a gap before step " + std::to_string(s) + ")");
    if (i > 0 && s <= rows.back().step)
      bad(i, "steps must increase (step " + std::to_string(s) + " after " + std::to_string(rows.back().step) + ")");
    rows.push_back({s, gamma[i]});
  }
  double peak = 0.0;
  for (const auto& r : rows) peak = std::max(peak, r.gamma);
  if (!(peak > 0.0)) throw ConfigError("field 'schedule_table' = '" + cut(path) + "': every gamma is 0");
  return rows;
}

nlohmann::json unless_default(double x, double def) { return x == def ? nlohmann::json(nullptr) : nlohmann::json(x); }

}  // namespace

void add_schedule_fields(std::vector<FieldDef>& d) {
  d.push_back({{"schedule", "sgd",
                "geometric (Lin et al.), constant, power, cosine, linear, wsd (warmup-stable-decay) or table "
                "(schedule_table)",
                "choice"},
               [](const FieldReader& r, Config& c) {
                 r.choice("schedule",
                          {{"geometric", ScheduleKind::kGeometric},
                           {"constant", ScheduleKind::kConstant},
                           {"power", ScheduleKind::kPower},
                           {"cosine", ScheduleKind::kCosine},
                           {"linear", ScheduleKind::kLinear},
                           {"wsd", ScheduleKind::kWsd},
                           {"table", ScheduleKind::kTable}},
                          &c.schedule);
               },
               [](const Config& c) { return nlohmann::json(to_string(c.schedule)); }});
  d.push_back(
      {{"gamma_min", "sgd", "cosine, linear, wsd: the floor the decay ends at, 0 <= gamma_min <= gamma", "number"},
       [](const FieldReader& r, Config& c) {
         r.real("gamma_min", &c.gamma_min);
         if (!(c.gamma_min >= 0.0 && std::isfinite(c.gamma_min)))
           range_error("gamma_min", "gamma_min >= 0", g(c.gamma_min));
       },
       [](const Config& c) { return unless_default(c.gamma_min, 0.0); }});
  d.push_back({{"warmup", "sgd",
                "linear warmup steps W (constant, cosine, linear, wsd): gamma_t = gamma (t + 1) / W for t < W; "
                "0 <= W < steps",
                "integer"},
               [](const FieldReader& r, Config& c) {
                 r.integer("warmup", &c.warmup, "0 <= warmup < steps");
                 if (c.warmup < 0) range_error("warmup", "warmup >= 0", std::to_string(c.warmup));
               },
               [](const Config& c) { return c.warmup == 0 ? nlohmann::json(nullptr) : nlohmann::json(c.warmup); }});
  d.push_back(
      {{"decay_fraction", "sgd", "wsd: the last floor(decay_fraction * steps) steps decay, 0 < f <= 1", "number"},
       [](const FieldReader& r, Config& c) {
         r.real("decay_fraction", &c.decay_fraction);
         if (!(c.decay_fraction > 0.0 && c.decay_fraction <= 1.0))
           range_error("decay_fraction", "0 < decay_fraction <= 1", g(c.decay_fraction));
       },
       [](const Config& c) { return unless_default(c.decay_fraction, 0.2); }});
  d.push_back({{"decay_shape", "sgd",
                "wsd: linear (1 - z), cosine ((1 + cos(pi z)) / 2), sqrt (1 - sqrt(z)) or power ((1 - z)^decay_power)",
                "choice"},
               [](const FieldReader& r, Config& c) {
                 r.choice("decay_shape",
                          {{"linear", DecayShape::kLinear},
                           {"cosine", DecayShape::kCosine},
                           {"sqrt", DecayShape::kSqrt},
                           {"power", DecayShape::kPower}},
                          &c.decay_shape);
               },
               [](const Config& c) {
                 return c.decay_shape == DecayShape::kLinear ? nlohmann::json(nullptr)
                                                             : nlohmann::json(to_string(c.decay_shape));
               }});
  d.push_back({{"decay_power", "sgd", "wsd with decay_shape = power: the exponent, 0 < decay_power <= 100", "number"},
               [](const FieldReader& r, Config& c) {
                 r.real("decay_power", &c.decay_power);
                 if (!(c.decay_power > 0.0 && c.decay_power <= 100.0))
                   range_error("decay_power", "0 < decay_power <= 100", g(c.decay_power));
               },
               [](const Config& c) { return unless_default(c.decay_power, 2.0); }});
  // The run's identity is the table's content, not the file's name (config.json records the name apart).
  d.push_back({{"schedule_table", "sgd",
                "table: a CSV file step,gamma of piecewise-constant pieces (each row's gamma holds from its step to "
                "the next row's; first step 0, steps increasing); the path is relative to the working folder",
                "text"},
               [](const FieldReader& r, Config& c) {
                 if (!r.text("schedule_table", &c.schedule_table)) return;
                 c.table = read_table(c.schedule_table);
               },
               [](const Config& c) {
                 if (c.table.empty()) return nlohmann::json(nullptr);
                 nlohmann::json rows = nlohmann::json::array();
                 for (const auto& row : c.table) rows.push_back({row.step, row.gamma});
                 return rows;
               }});
}

namespace {

// A key set away from its default for a schedule it does not apply to.
void refuse_unless(bool applies, bool at_default, const char* key, const std::string& which, ScheduleKind k) {
  if (applies || at_default) return;
  throw ConfigError("field '" + std::string(key) + "' applies only to " + which + "; schedule is '" + to_string(k) +
                    "'");
}

}  // namespace

void check_schedule_relations(const FieldReader& r, Config& c) {
  const ScheduleKind k = c.schedule;
  const bool decays = k == ScheduleKind::kCosine || k == ScheduleKind::kLinear || k == ScheduleKind::kWsd;
  const bool table = k == ScheduleKind::kTable;
  refuse_unless(decays, c.gamma_min == 0.0, "gamma_min", "cosine, linear and wsd", k);
  refuse_unless(decays || k == ScheduleKind::kConstant, c.warmup == 0, "warmup", "constant, cosine, linear and wsd", k);
  refuse_unless(k == ScheduleKind::kWsd, c.decay_fraction == 0.2, "decay_fraction", "wsd", k);
  refuse_unless(k == ScheduleKind::kWsd, c.decay_shape == DecayShape::kLinear, "decay_shape", "wsd", k);
  refuse_unless(k == ScheduleKind::kWsd && c.decay_shape == DecayShape::kPower, c.decay_power == 2.0, "decay_power",
                "wsd with decay_shape = power", k);
  refuse_unless(table, c.table.empty(), "schedule_table", "table", k);
  if (table) {
    if (c.table.empty()) throw ConfigError("field 'schedule_table' is required with schedule = table");
    if (r.get("gamma") || c.gamma_rel > 0.0)
      throw ConfigError(std::string("field '") + (r.get("gamma") ? "gamma" : "gamma_rel") +
                        "' does not apply with schedule = table: the table gives the step sizes");
    c.gamma = 0.0;
    for (const auto& row : c.table) c.gamma = std::max(c.gamma, row.gamma);  // the peak
  }
  const std::int64_t steps = c.N / c.batch;
  if (c.warmup > 0 && c.warmup >= steps)
    range_error("warmup", "warmup < steps = N / batch = " + std::to_string(steps), std::to_string(c.warmup));
  if (c.gamma_rel == 0.0 && !c.gamma_tuned && c.gamma_min > c.gamma)
    range_error("gamma_min", "gamma_min <= gamma = " + g(c.gamma), g(c.gamma_min));
  if (k == ScheduleKind::kWsd) {
    const auto decaying = static_cast<std::int64_t>(std::floor(c.decay_fraction * static_cast<double>(steps)));
    if (decaying < 1)
      range_error("decay_fraction",
                  "decay_fraction * steps >= 1 (steps = " + std::to_string(steps) + "): no step would decay",
                  g(c.decay_fraction));
    if (steps - decaying < c.warmup)
      range_error("warmup",
                  "warmup <= the decay's first step s0 = steps - floor(decay_fraction * steps) = " +
                      std::to_string(steps - decaying),
                  std::to_string(c.warmup));
  }
}

}  // namespace sgdlaw
