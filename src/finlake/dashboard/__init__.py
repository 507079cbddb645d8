"""The risk dashboard: one definition (quicksight/dashboard.yaml), rendered by QuickSight and locally."""
