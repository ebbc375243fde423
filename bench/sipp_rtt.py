"""The answers of a SIPp run made with -trace_rtt -rtt_freq 1 -trace_stat (bench/lib.sh options_load):
each answer's response time and the time its request was sent, and the run's call counts.

SIPp's rtt file has per answer: date (ms since SIPp started) ; response time (ms) ; rtd number. SIPp
started at the time its stat file's first row gives (StartTime, "YYYY-MM-DD\tHH:MM:SS.usec\tepoch").
Imported by the scripts' inline Python: sys.path.insert(0, "bench"); from sipp_rtt import SippRun.
"""
import csv
import glob


class SippRun:
    def __init__(self, run_dir, scenario="options-load"):
        stat = sorted(glob.glob(f"{run_dir}/{scenario}_*_.csv"))
        rows = list(csv.reader(open(stat[-1]), delimiter=";")) if stat else []
        head, last = (rows[0], rows[-1]) if len(rows) > 1 else ([], [])
        started = float(rows[1][head.index("StartTime")].split("\t")[-1]) if len(rows) > 1 else 0.0
        count = lambda name: int(last[head.index(name)]) if name in head else None
        self.succeeded = count("SuccessfulCall(C)")
        self.failed = count("FailedCall(C)")
        # (response time ms, send time epoch s) per answer
        self.answers = []
        for f in glob.glob(f"{run_dir}/{scenario}_*_rtt.csv"):
            for r in csv.reader(open(f), delimiter=";"):
                try:
                    answered, took = started + float(r[0]) / 1000.0, float(r[1])
                except (ValueError, IndexError):
                    continue  # the header
                self.answers.append((took, answered - took / 1000.0))

    def sent_within(self, start=None, end=None):
        """The answers to requests sent in [start, end] (epoch s); all without a window."""
        return [a for a in self.answers if start is None or start <= a[1] <= end]


def percentile(sorted_times, p):
    return sorted_times[min(len(sorted_times) - 1, int(p * len(sorted_times)))] if sorted_times else float("nan")


def longest(sorted_times):
    return sorted_times[-1] if sorted_times else float("nan")
