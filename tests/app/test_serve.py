"""`make serve`'s supervisor (deploy/serve.py), with real child processes."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The "worker" notes each start and dies at once; the "web server" runs until the
# worker has been started three times, then stops by itself (exit code 0).
WORKER = "import sys; open(sys.argv[1], 'a').write('x'); sys.exit(1)"
WEB = """
import sys, time
for _ in range(6000):
    if open(sys.argv[1]).read().count('x') >= 3:
        sys.exit(0)
    time.sleep(0.01)
sys.exit(2)
"""
SUPERVISE = """
import sys
from deploy.serve import supervise
python, starts = sys.executable, sys.argv[1]
web, worker = supervise(web=[python, "-c", sys.argv[2], starts], worker=[python, "-c", sys.argv[3], starts],
                        restart_delay=0)
sys.exit(web)
"""


def test_the_web_server_outlives_a_crashing_worker_which_is_started_again(tmp_path):
    starts = tmp_path / "starts"
    starts.write_text("")
    done = subprocess.run([sys.executable, "-c", SUPERVISE, str(starts), WEB, WORKER], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    # Before, the first crash of the worker stopped the web server too (SIGTERM, no restart).
    assert done.returncode == 0, done.stderr
    assert starts.read_text().count("x") >= 3
    assert "RQ worker 已退出（返回码 1）" in done.stderr
