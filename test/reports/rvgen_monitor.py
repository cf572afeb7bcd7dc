# Runs the Linux kernel's rvgen on one .dot file, as `rvgen monitor -c da -s FILE -t TYPE` does
# (tools/verification/rvgen/__main__.py), minus the LTL front end, whose `ply` dependency the
# DA path does not need. Writes the monitor into the current directory and prints, as JSON, the
# automaton rvgen read: states, events, initial state and transition function.
#   python3 rvgen_monitor.py RVGEN_DIR SPEC.dot MONITOR_TYPE
import json
import sys

sys.path.insert(0, sys.argv[1])
from rvgen.automata import AutomataError  # noqa: E402

spec, monitor_type = sys.argv[2], sys.argv[3]
params = {"subcmd": "monitor", "description": None, "auto_patch": False, "model_name": None,
          "parent": None, "monitor_class": "da", "spec": spec, "monitor_type": monitor_type}
try:
    if sys.version_info >= (3, 12):
        from rvgen.dot2k import da2k
        monitor = da2k(spec, monitor_type, params)
        monitor.print_files()
        generated = True
    else:
        # rvgen's monitor generator needs Python 3.12; its parser and C model do not.
        from rvgen.dot2c import Dot2c
        monitor = Dot2c(spec)
        monitor.format_model()
        generated = False
except AutomataError as e:
    print(f"rvgen rejected {spec}: {e}", file=sys.stderr)
    sys.exit(1)

function = {s: {e: monitor.function[i][j] for j, e in enumerate(monitor.events)
                if monitor.function[i][j] != monitor.invalid_state_str}
            for i, s in enumerate(monitor.states)}
print(json.dumps({"name": monitor.name, "states": monitor.states, "events": monitor.events,
                  "initial": monitor.initial_state, "final": monitor.final_states,
                  "function": function, "generated": generated}))
