"""The Python reader on outputs the sgdlaw binary makes here: a run and a small sweep with fits.
Run with: SGDLAW_BINARY=build/sgdlaw PYTHONPATH=python python3 -m unittest discover -s python/tests"""
import os
import shutil
import subprocess
import tempfile
import unittest

import sgdlaw

BINARY = os.environ.get("SGDLAW_BINARY", os.path.join(os.path.dirname(__file__), "..", "..", "build", "sgdlaw"))


class ReaderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sgdlaw_py_")
        subprocess.run([BINARY, "run", "--d", "128", "--M", "16", "--N", "2000", "--trials", "30",
                        "--write_trials", "final", "--progress", "false", "--quiet", "--out", "run"],
                       cwd=cls.dir, check=True)
        with open(os.path.join(cls.dir, "base.toml"), "w") as f:
            f.write("[problem]\nd = 256\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 24\n"
                    "[fit]\nm_axis_grid = \"cli\"\nbootstrap = 20\nm_regime = 2\n")
        subprocess.run([BINARY, "sweep", "base.toml", "--grid", "M=4,8,16,32", "--grid", "N=4096"], cwd=cls.dir,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_run(self):
        run = sgdlaw.read_run(os.path.join(self.dir, "run"))
        self.assertEqual(run.config["problem"]["M"], 16)
        self.assertEqual(run.curves["N"].iloc[-1], 2000)
        self.assertTrue((run.curves["risk_se"] > 0).all())
        self.assertEqual(len(run.trials), 30)
        self.assertAlmostEqual(run.trials["risk"].mean(), run.curves["risk_mc"].iloc[-1], places=9)
        self.assertIn("files", run.meta)
        self.assertTrue((run.excess > 0).all())

    def test_sweep(self):
        sw = sgdlaw.read_sweep(os.path.join(self.dir, "runs", "base"))
        self.assertEqual(len(sw.points), 4)
        self.assertEqual(sorted(sw.points["M"].tolist()), [4, 8, 16, 32])  # numbers, not strings
        self.assertEqual(set(sw.final["M"]), {4, 8, 16, 32})
        self.assertEqual(sw.table["sigma"].iloc[0], 0.2)
        self.assertIn("seed", sw.table.columns)
        self.assertIsNotNone(sw.fits)
        ols = sw.fits[sw.fits["method"] == "loglog_ols"].iloc[0]
        self.assertEqual(ols["grid"], "cli")
        self.assertEqual(ols["held"], "N")
        self.assertEqual(ols["held_value"], 4096)
        self.assertLess(ols["slope"], 0)
        self.assertEqual(len(sw.run("cli-M8-N4096").curves), len(sw.table[sw.table["M"] == 8]))

    def test_exact_only_run(self):
        subprocess.run([BINARY, "run", "--sketch", "identity", "--d", "inf", "--monte_carlo", "false", "--N",
                        "1048576", "--quiet", "--out", "exact"], cwd=self.dir, check=True)
        run = sgdlaw.read_run(os.path.join(self.dir, "exact"))
        self.assertNotIn("risk_mc", run.curves.columns)
        self.assertIsNone(run.trials)
        self.assertEqual(run.config["problem"]["d"], "inf")
        self.assertTrue((run.excess > 0).all())
        self.assertLess(run.excess.iloc[-1], 0.1 * run.excess.iloc[0])  # learned over 2^20 samples

    def test_missing_folder_says_what_it_expected(self):
        with self.assertRaises(FileNotFoundError) as cm:
            sgdlaw.read_run(os.path.join(self.dir, "nowhere"))
        self.assertIn("sgdlaw run", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
