#include "sgdlaw/io/run_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config_fields.hpp"
#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/fnv1a.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/trial_chunks.hpp"

namespace sgdlaw {
namespace fs = std::filesystem;

namespace {

nlohmann::json config_to_json(const Config& c) { return resolved_config_json(c); }

std::string g17(double x) { return format_g(x, 12); }

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
}

// Exact-only runs (monte_carlo = false): the exact columns alone.
std::string exact_curves_csv(const RunResult& r) {
  std::vector<std::string> header = {"N", "N_eff", "steps", "risk_exact", "risk_exact_sketch_sd"};
  if (r.has_det_equiv) header.push_back("risk_det_equiv");
  for (const char* h : {"approx_exact", "bias_exact", "variance_exact", "sigma2"}) header.push_back(h);
  CsvWriter csv(header, 12);
  const double sigma2 = r.plan.config.sigma * r.plan.config.sigma;
  for (const CurveRow& row : r.rows) {
    csv.cell(row.samples).cell(row.n_eff).cell(row.steps).cell(row.risk_exact).cell(row.risk_exact_sketch_sd);
    if (r.has_det_equiv) csv.cell(row.risk_det_equiv);
    csv.cell(row.approx_exact).cell(row.bias_exact).cell(row.variance_exact).cell(sigma2).end_row();
  }
  return csv.text();
}

// A curve value that is not finite is a run that overflowed somewhere: refused, naming the column and row,
// rather than written (tables never hold inf or nan).
void check_finite_curves(const RunResult& r) {
  for (const CurveRow& row : r.rows) {
    const std::pair<const char*, double> cols[] = {
        {"risk_exact", row.risk_exact},         {"approx_exact", row.approx_exact}, {"bias_exact", row.bias_exact},
        {"variance_exact", row.variance_exact}, {"risk_mc", row.risk_mc},           {"risk_se", row.risk_se},
        {"approx_mc", row.approx_mc},           {"excess_mc", row.excess_mc},       {"bias_mc", row.bias_mc},
        {"variance_mc", row.variance_mc}};
    for (const auto& [name, v] : cols)
      if (!std::isfinite(v))
        throw DivergenceError("column " + std::string(name) + " is not finite at N = " + std::to_string(row.samples) +
                              " (the run overflowed); nothing was written: use a smaller 'gamma' or 'sigma'");
    if (r.has_det_equiv && !std::isfinite(row.risk_det_equiv))
      throw DivergenceError("column risk_det_equiv is not finite at N = " + std::to_string(row.samples));
  }
}

std::string curves_csv(const RunResult& r) {
  check_finite_curves(r);
  if (!r.plan.config.monte_carlo) return exact_curves_csv(r);
  const bool split = r.trials.has_decomposition;
  std::vector<std::string> header = {"N",       "N_eff",   "steps",      "trials",
                                     "risk_mc", "risk_se", "risk_exact", "risk_exact_sketch_sd"};
  if (r.has_det_equiv) header.push_back("risk_det_equiv");
  for (const char* h : {"approx_mc", "approx_se", "approx_exact", "excess_mc", "excess_se", "excess_exact"})
    header.push_back(h);
  const std::vector<std::string> tail =
      split ? std::vector<std::string>{"bias_mc",     "bias_se",        "bias_exact", "variance_mc",
                                       "variance_se", "variance_exact", "sigma2"}
            : std::vector<std::string>{"bias_exact", "variance_exact", "sigma2"};
  header.insert(header.end(), tail.begin(), tail.end());
  CsvWriter csv(header, 12);
  const double sigma2 = r.plan.config.sigma * r.plan.config.sigma;
  for (const CurveRow& row : r.rows) {
    csv.cell(row.samples).cell(row.n_eff).cell(row.steps).cell(row.trials).cell(row.risk_mc).cell(row.risk_se);
    csv.cell(row.risk_exact).cell(row.risk_exact_sketch_sd);
    if (r.has_det_equiv) csv.cell(row.risk_det_equiv);
    csv.cell(row.approx_mc).cell(row.approx_se).cell(row.approx_exact);
    csv.cell(row.excess_mc).cell(row.excess_se).cell(row.excess_exact);
    if (split) csv.cell(row.bias_mc).cell(row.bias_se);
    csv.cell(row.bias_exact);
    if (split) csv.cell(row.variance_mc).cell(row.variance_se);
    csv.cell(row.variance_exact).cell(sigma2).end_row();
  }
  return csv.text();
}

void write_trials_csv(const RunResult& r, const fs::path& path) {
  std::ofstream f(path, std::ios::binary);
  const TrialResults& t = r.trials;
  f << "trial,sketch,N,risk,approx" << (t.has_decomposition ? ",bias,variance" : "") << "\n";
  const std::int64_t first_ck = r.plan.config.write_trials == TrialsOutput::kFinal ? t.checkpoints - 1 : 0;
  for (std::int64_t g = 0; g < t.trials; ++g)
    for (std::int64_t ck = first_ck; ck < t.checkpoints; ++ck) {
      const std::size_t i = static_cast<std::size_t>(g * t.checkpoints + ck);
      f << g << ',' << g / r.plan.config.trials << ',' << r.rows[ck].samples << ',' << g17(t.risk[i]) << ','
        << g17(t.approx[g]);
      if (t.has_decomposition) f << ',' << g17(t.bias[i]) << ',' << g17(t.variance[i]);
      f << '\n';
    }
  f.close();
  if (!f) throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

std::string file_digest(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::uint64_t h = kFnv1aOffset;
  char buf[1 << 16];
  while (f) {
    f.read(buf, sizeof buf);
    h = fnv1a(buf, static_cast<std::size_t>(f.gcount()), h);
  }
  return format_hex64(h);
}

bool run_folder_intact(const std::string& dir, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  const fs::path d(dir);
  if (!fs::exists(d / "config.json")) return fail("no config.json");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file((d / "config.json").string()));
  } catch (const std::exception& e) {
    return fail(std::string("config.json does not parse: ") + e.what());
  }
  if (!j.contains("files") || !j["files"].is_object() || !j["files"].contains("curves.csv"))
    return fail("config.json lists no file digests (written by an older sgdlaw, or edited)");
  if (j["config"]["run"].value("write_trials", "none") != "none" && !j["files"].contains("trials.csv"))
    return fail("config.json lists no digest for trials.csv");
  for (const auto& [name, digest] : j["files"].items()) {
    if (!fs::exists(d / name)) return fail(name + " is missing");
    if (file_digest((d / name).string()) != digest.get<std::string>())
      return fail(name + " does not match the digest recorded when it was written (edited or damaged)");
  }
  return true;
}

std::string config_json(const Config& c) { return config_to_json(c).dump(2); }

std::string run_identity(const Config& c) { return results_only(config_to_json(c)).dump(); }

bool same_run(const nlohmann::json& recorded_config, const Config& c) {
  return results_only(recorded_config) == results_only(config_to_json(c));
}

namespace {

// config.json's "derived": what the run resolved and how its exact curves were computed.
nlohmann::json derived_json(const RunResult& r) {
  nlohmann::json d = {
      {"steps", r.plan.config.steps()},
      {"total_trials", r.plan.config.total_trials()},
      {"max_stable_gamma", r.max_stable_gamma},
      {"resolved_gamma", r.plan.config.gamma},  // the step size the run used (gamma, gamma_rel x the limit, tuned)
      {"approx_exact", r.rows.empty() ? 0.0 : r.rows.back().approx_exact},
      {"schedule_phase_length", r.plan.schedule.phase_length},
      {"exact_method", !r.exact.empty() && r.exact[0].contour ? "contour" : "steps"},
      {"checkpoints_note",
       r.plan.schedule.depends_on_horizon()
           ? std::string(to_string(r.plan.config.schedule)) +
                 " schedule: only the final row is a completed schedule of its horizon; earlier rows are "
                 "iterates in the middle of the horizon-N schedule"
           : std::string("every row is the last iterate of a run of that length (the schedule does not depend "
                         "on N)")}};
  if (r.gamma_tuning.evaluations > 0)
    d["gamma_tuning"] = {{"limit", r.gamma_tuning.limit},
                         {"final_excess", r.gamma_tuning.excess},
                         {"at_limit", r.gamma_tuning.at_limit},
                         {"exact_evaluations", r.gamma_tuning.evaluations}};
  if (!r.exact.empty())
    d["exact_path"] = {{"contour_jumps", r.exact[0].jumps},
                       {"jumped_steps", r.exact[0].jumped_steps},
                       {"stepped_steps", r.exact[0].stepped_steps}};
  if (r.plan.config.schedule == ScheduleKind::kTable) d["schedule_table"] = r.plan.config.schedule_table;
  if (r.theory_level_ratio >= 0.0) d["theory_level_ratio"] = r.theory_level_ratio;
  if (r.plan.config.d_infinite) {
    const SketchSetup& s = r.plan.sketches[0];
    d["d_infinite"] = {
        {"head", r.plan.config.d},
        {"tail_nodes", static_cast<std::int64_t>(s.mu.size()) - r.plan.config.d},
        {"tail_error_bound", s.tail_error},
        {"note",
         "d = inf: coordinates 1..head one by one, the tail by Euler-Maclaurin and Gauss-Legendre quadrature; "
         "tail_error_bound estimates the absolute error of the risk it adds"}};
  }
  if (r.plan.config.dataset > 0)
    d["exact_columns_note"] =
        "finite dataset of " + std::to_string(r.plan.config.dataset) + " samples (" +
        format_g(static_cast<double>(r.plan.config.N) / static_cast<double>(r.plan.config.dataset), 4) +
        " passes): reuse correlates the iterate with the data, so no exact recursion applies; the *_exact "
        "columns are the fresh-data (one-pass) expected risk, for comparison, and the Monte Carlo columns are "
        "the answer";
  return d;
}

}  // namespace

void write_run_outputs(const RunResult& r, const RunMeta& meta, const std::string& out_dir) {
  const fs::path out = fs::path(out_dir);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  const fs::path tmp = out.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  mark_folder(tmp.string(), FolderKind::kRun);
  mark_leftover(tmp.string());  // until it is renamed into place: a dead writer's leftover, provably
  try {
    write_file(tmp / "curves.csv", curves_csv(r));
    if (r.plan.config.write_trials != TrialsOutput::kNone) write_trials_csv(r, tmp / "trials.csv");
    nlohmann::json j;
    j["config"] = config_to_json(r.plan.config);
    j["seed"] = r.plan.config.seed;
    j["backend"] = r.backend;
    j["version"] = meta.version;
    j["command_line"] = meta.command_line;
    j["source"] = meta.source;
    j["wall_seconds"] = meta.wall_seconds;
    j["resumed_trials"] = r.resumed_trials;
    j["timing_seconds"] = {{"setup", r.setup_seconds}, {"exact", r.exact_seconds}, {"monte_carlo", r.mc_seconds}};
    if (r.kernel_seconds >= 0.0) j["timing_seconds"]["kernel"] = r.kernel_seconds;  // CUDA events
    if (!r.warnings.empty()) j["warnings"] = r.warnings;
    j["derived"] = derived_json(r);
    j["files"] = {{"curves.csv", file_digest((tmp / "curves.csv").string())}};
    if (r.plan.config.write_trials != TrialsOutput::kNone)
      j["files"]["trials.csv"] = file_digest((tmp / "trials.csv").string());
    write_file(tmp / "config.json", j.dump(2) + "\n");
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
  const fs::path old = out.string() + ".old-" + std::to_string(::getpid());
  if (fs::exists(out)) {
    mark_leftover(out.string());  // before the move, so that "<out>.old-PID" is provably this writer's
    fs::rename(out, old);
  }
  fs::rename(tmp, out);
  fs::remove(out / kLeftover);
  fs::remove_all(old);
  fs::remove_all(resume_dir(r.plan.config));  // saved chunks of this run are now in its outputs
  // What earlier writers of this same folder left when they were killed (their pid is dead): a sweep shard
  // rewriting a point after a kill would otherwise keep them, since only a whole sweep clears a folder's.
  remove_stale_leftovers(out.string());
}

}  // namespace sgdlaw
