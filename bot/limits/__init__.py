"""Fair shares: one chat cannot crowd out the others, and everything sent shares one budget."""
