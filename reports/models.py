# Report kinds, drafts and runs arrive with the reports issue.
