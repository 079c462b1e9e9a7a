print("beamconsole")
