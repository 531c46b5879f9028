# hold-fork.py MARKER HOLD_S -- COMMAND...: runs COMMAND traced (ptrace) and holds each process it forks
# while the file MARKER exists (MARKER is then removed) stopped for HOLD_S seconds, before it runs a single
# instruction: a copy of the forking shell, its traps still set. Every other child is let go at once. Logs
# "hold-fork: holding <pid>" on stderr; exits with COMMAND's code (128 + signal when killed), 125 when
# ptrace is refused (`hold-fork.py x 0 -- true` tells whether it can work here).
import ctypes
import os
import signal
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
TRACEME, CONT, DETACH, SETOPTIONS, GETEVENTMSG = 0, 7, 17, 0x4200, 0x4201
O_TRACEFORK, EVENT_FORK, WALL = 2, 1, 0x40000000

marker, hold, command = sys.argv[1], float(sys.argv[2]), sys.argv[4:]
shell = os.fork()
if shell == 0:
    if libc.ptrace(TRACEME, 0, None, None) != 0:
        print("hold-fork: cannot trace (ptrace refused)", file=sys.stderr, flush=True)
        os._exit(125)
    os.kill(os.getpid(), signal.SIGSTOP)
    os.execvp(command[0], command)
_, status = os.waitpid(shell, WALL)
if os.WIFEXITED(status):
    sys.exit(os.WEXITSTATUS(status))
libc.ptrace(SETOPTIONS, shell, None, ctypes.c_void_p(O_TRACEFORK))
libc.ptrace(CONT, shell, None, None)

held = {}  # pid -> when to let it go
forked = set()  # forked children not yet let go, by the fork event
stopped = set()  # forked children seen in their first stop
code = None
while code is None or held:
    now = time.time()
    for pid, until in list(held.items()):
        if until <= now and pid in stopped:
            libc.ptrace(DETACH, pid, None, None)
            del held[pid]
    try:
        pid, status = os.waitpid(-1, os.WNOHANG | WALL)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.002)
        continue
    if pid == shell:
        if os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            code = 128 + os.WTERMSIG(status)
        elif status >> 16 == EVENT_FORK:
            message = ctypes.c_ulong()
            libc.ptrace(GETEVENTMSG, shell, None, ctypes.byref(message))
            child = message.value
            if os.path.exists(marker):
                os.unlink(marker)
                held[child] = time.time() + hold
                print(f"hold-fork: holding {child}", file=sys.stderr, flush=True)
            elif child in stopped:
                libc.ptrace(DETACH, child, None, None)
            else:
                forked.add(child)
            libc.ptrace(CONT, shell, None, None)
        else:
            # A signal for the shell: delivered (the SIGTRAP of its exec is the tracer's, dropped).
            sig = os.WSTOPSIG(status)
            libc.ptrace(CONT, shell, None, ctypes.c_void_p(0 if sig == signal.SIGTRAP else sig))
    elif os.WIFSTOPPED(status):
        stopped.add(pid)
        if pid in forked:
            forked.discard(pid)
            libc.ptrace(DETACH, pid, None, None)
sys.exit(1 if code is None else code)
