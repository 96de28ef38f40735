// A long run killed part-way resumes from its saved chunks and ends with the same numbers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/io/trial_chunks.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

int files_in(const fs::path& dir) {
  int n = 0;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

}  // namespace

TEST(Resume, KilledRunResumesToIdenticalResults) {
  const fs::path base = fs::temp_directory_path() / ("sgdlaw_resume_" + std::to_string(::getpid()));
  fs::remove_all(base);
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.threads = 2;
  c.out = (base / "run").string();
  const auto chunks = plan_chunks(c.total_trials(), 2);
  ASSERT_GE(chunks.size(), 4u);

  // "Kill" the run right after its second chunk is saved.
  const std::int64_t stop_at = chunks[0].count + chunks[1].count;
  EXPECT_THROW(run_simulation(c,
                              [&](std::int64_t done, std::int64_t) {
                                if (done >= stop_at) throw std::runtime_error("killed");
                              }),
               std::runtime_error);
  EXPECT_EQ(files_in(resume_dir(c)), 2);

  const RunResult resumed = run_simulation(c);
  EXPECT_EQ(resumed.resumed_trials, stop_at);
  Config clean_cfg = c;
  clean_cfg.out = (base / "clean").string();
  const RunResult clean = run_simulation(clean_cfg);
  EXPECT_EQ(clean.resumed_trials, 0);
  EXPECT_EQ(resumed.trials.risk, clean.trials.risk);
  EXPECT_EQ(resumed.trials.bias, clean.trials.bias);
  EXPECT_EQ(resumed.trials.approx, clean.trials.approx);

  write_run_outputs(resumed, RunMeta{"test", 0.0, ""}, c.out);
  EXPECT_FALSE(fs::exists(resume_dir(c)));  // saved chunks are gone once the outputs exist
  fs::remove_all(base);
}

TEST(Resume, ChunksOfAnotherConfigurationAreIgnored) {
  const fs::path base = fs::temp_directory_path() / ("sgdlaw_resume2_" + std::to_string(::getpid()));
  fs::remove_all(base);
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.out = (base / "run").string();
  EXPECT_THROW(run_simulation(c,
                              [&](std::int64_t done, std::int64_t) {
                                if (done > 0) throw std::runtime_error("killed");
                              }),
               std::runtime_error);
  ASSERT_GT(files_in(resume_dir(c)), 0);
  c.seed += 1;  // same output folder, different run
  EXPECT_EQ(run_simulation(c).resumed_trials, 0);
  fs::remove_all(base);
}
