"""The Python API end to end on the binary built here: run, exact, sweep with two axes, fit and batch, each checked
against the files the CLI itself wrote, and the errors' kinds.
Run with: SGDLAW_BIN=build/sgdlaw PYTHONPATH=python python3 -m unittest discover -s python/tests"""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import pandas as pd

import sgdlaw

BINARY = os.environ.get("SGDLAW_BIN") or os.environ.get("SGDLAW_BINARY") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "sgdlaw")


class LaunchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["SGDLAW_BIN"] = os.path.abspath(BINARY)
        cls.dir = tempfile.mkdtemp(prefix="sgdlaw_launch_")
        cls.cwd = os.getcwd()
        os.chdir(cls.dir)

    @classmethod
    def tearDownClass(cls):
        os.chdir(cls.cwd)
        shutil.rmtree(cls.dir)

    def cli(self, *args):
        subprocess.run([os.environ["SGDLAW_BIN"]] + list(args), check=True, stdout=subprocess.DEVNULL)

    def test_run_equals_the_cli_run(self):
        run = sgdlaw.run(d=128, M=16, N=2000, trials=30, seed=4, progress=False, out="py_run")
        self.cli("run", "--d", "128", "--M", "16", "--N", "2000", "--trials", "30", "--seed", "4", "--quiet",
                 "--out", "cli_run")
        cli = pd.read_csv(os.path.join("cli_run", "curves.csv"))
        pd.testing.assert_frame_equal(run.curves, cli)
        self.assertEqual(run.config["problem"]["M"], 16)

    def test_exact_at_d_inf(self):
        for d in (float("inf"), "inf"):
            e = sgdlaw.exact(sketch="identity", d=d, head=64, N=2 ** 20, a=2.0, b=3.0)
            self.assertNotIn("risk_mc", e.curves.columns)
            self.assertEqual(e.config["problem"]["d"], "inf")
            self.assertEqual(int(e.curves["N"].iloc[-1]), 2 ** 20)
            self.assertTrue((e.excess > 0).all())

    def test_sweep_with_two_axes_and_fit(self):
        sw = sgdlaw.sweep(grid={"M": [4, 8, 16, 32], "N": [2048, 4096]}, d=256, sigma=0.2, gamma=0.2, trials=16,
                          fit={"m_axis_grid": "cli", "bootstrap": 20, "m_regime": 2}, progress=False, out="py_sweep")
        self.assertEqual(len(sw.points), 8)
        self.assertEqual(sorted(set(sw.points["M"])), [4, 8, 16, 32])
        self.assertEqual(sorted(set(sw.points["N"])), [2048, 4096])
        on_disk = pd.read_csv(os.path.join("py_sweep", "sweep.csv"))
        pd.testing.assert_frame_equal(sw.table, on_disk)
        self.assertIsNotNone(sw.fits)
        self.assertTrue((sw.fits[sw.fits["method"] == "loglog_ols"]["slope"] < 0).all())
        table = sw.final[["M", "N", "risk_mc"]]
        f = sgdlaw.fit(table.rename(columns={"M": "x", "risk_mc": "y"})[table["N"] == 4096], x="x", y="y",
                       bootstrap=50, seed=1)
        self.assertIn("alpha", json.dumps(f))

    def test_batch(self):
        with open("b.toml", "w") as f:
            f.write("[problem]\na = 1.5\nb = 2.5\nd = 32\nM = 32\nsketch = \"identity\"\nsigma = 0.5\n[sgd]\n"
                    "N = 1024\nschedule = \"constant\"\n[batch]\nbatches = [1, 4, 16]\ntarget_ratio = [3]\n"
                    "trials = 0\nresamples = 50\n")
        r = sgdlaw.batch("b.toml", out="py_batch", progress=False)
        self.assertEqual(list(r["points"]["batch"]), [1, 4, 16])
        with open(os.path.join("py_batch", "critical.csv")) as f:
            self.assertEqual(float(next(csv.DictReader(f))["b_crit"]), r["critical"]["b_crit"].iloc[0])

    def test_errors_carry_the_message_and_kind(self):
        with self.assertRaises(sgdlaw.ConfigError) as e:
            sgdlaw.run(a=0.5, progress=False, out="bad")
        self.assertIn("'a'", e.exception.message)
        self.assertEqual(e.exception.kind, "config")
        with self.assertRaises(sgdlaw.DivergenceError) as e:
            sgdlaw.run(d=64, M=16, N=512, gamma=50.0, trials=4, progress=False, out="div")
        self.assertEqual(e.exception.exit_code, 3)
        self.assertIn("gamma", e.exception.message)
        with self.assertRaises(ValueError):
            sgdlaw.run(sigma=float("nan"), progress=False)
        with self.assertRaises(sgdlaw.ConfigError) as e:  # a flag CLI11 does not know: its message, not --help's
            sgdlaw.run(gama=0.1, progress=False, out="typo")
        self.assertIn("gama", e.exception.message)

    def test_a_plotted_run_folder_can_be_run_again(self):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.skipTest("matplotlib is not installed")
        sgdlaw.run(d=64, M=8, N=500, trials=8, progress=False, out="replot")
        subprocess.run([os.environ["SGDLAW_BIN"], "plot", "replot", "--quiet"], check=True)
        self.assertTrue(os.path.exists(os.path.join("replot", "figures.json")))
        sgdlaw.run(d=64, M=8, N=500, trials=8, seed=2, progress=False, out="replot")  # figures.json is sgdlaw's


if __name__ == "__main__":
    unittest.main()
