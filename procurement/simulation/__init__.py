"""What-if rules simulation (政策仿真): rule variants side by side on an opened tender's bids
or on a file of historical bids, without changing anything in the tender."""
