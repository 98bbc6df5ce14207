"""Live data: events published after commit, carried between workers, and the hub that
runs every subscription's operation once per event for all who share it."""
