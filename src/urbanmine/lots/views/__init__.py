"""Pages that show lots: the public supply and a lot (`lot`), an asset's material passport
(`passports`) and what a hub holds (`hubs`)."""
