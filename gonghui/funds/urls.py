from . import urls_books, urls_budget, urls_income, urls_journal, urls_rules

app_name = "funds"
urlpatterns = [*urls_books.urlpatterns, *urls_journal.urlpatterns, *urls_income.urlpatterns,
               *urls_budget.urlpatterns, *urls_rules.urlpatterns]
