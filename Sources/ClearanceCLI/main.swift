print("clearance")
